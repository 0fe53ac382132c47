"""The TOP client against a local gateway that verifies signatures, pages, throttles and fails like TOP does."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

import pytest

from orchestration.ingest.api.errors import ApiError, ApiUnavailableError, RateLimitedError, SessionExpiredError
from orchestration.ingest.api.http import HttpSession
from orchestration.ingest.api.top import TRADES_CREATED, TRADES_INCREMENT, TopClient, TopConfig, top_sign
from tests.ingest.api.conftest import FIXED_NOW, RecordedSleeps, top_config
from tests.support.protocol_servers.top_gateway import TopGateway, make_trade

DAY_START = dt.datetime(2025, 3, 14)
DAY_END = dt.datetime(2025, 3, 15)


def trades_every_five_minutes(count: int, first_tid: int = 5118609024991031000) -> list[dict]:
    return [
        make_trade(first_tid + 10 * i, (DAY_START + dt.timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S"))
        for i in range(count)
    ]


def client_for(gateway: TopGateway, http: HttpSession, **overrides: object) -> TopClient:
    return TopClient(top_config(gateway, **overrides), http=http, now=lambda: FIXED_NOW)


def test_signatures_follow_the_documented_algorithms() -> None:
    params = {"method": "taobao.trades.sold.get", "app_key": "12345678", "v": "2.0", "partner_id": "", "sign": "X"}
    concat = "app_key12345678methodtaobao.trades.sold.getv2.0"  # sorted, empty values and `sign` left out
    secret = "s3cr3t"
    assert top_sign(params, secret, "md5") == hashlib.md5(f"{secret}{concat}{secret}".encode()).hexdigest().upper()
    assert top_sign(params, secret, "hmac") == hmac.new(b"s3cr3t", concat.encode(), "md5").hexdigest().upper()
    assert top_sign(params, secret, "hmac-sha256") == hmac.new(b"s3cr3t", concat.encode(), "sha256").hexdigest().upper()


@pytest.mark.parametrize("sign_method", ["md5", "hmac", "hmac-sha256"])
def test_the_gateway_accepts_each_sign_method(top_gateway: TopGateway, http: HttpSession, sign_method: str) -> None:
    top_gateway.trades = trades_every_five_minutes(3)
    client = client_for(top_gateway, http, sign_method=sign_method)

    trades = client.trades_modified(DAY_START, DAY_END)

    assert len(trades) == 3
    assert {c["sign_method"] for c in top_gateway.calls} == {sign_method}


def test_a_wrong_secret_is_rejected_with_a_hint(top_gateway: TopGateway, http: HttpSession) -> None:
    client = client_for(top_gateway, http, app_secret="not-the-secret")

    with pytest.raises(ApiError, match=r"code 25 Invalid signature.*TOP_APP_SECRET"):
        client.trades_modified(DAY_START, DAY_END)


@pytest.mark.parametrize("simplify", [False, True])
def test_classic_and_simplify_shapes_give_the_same_trades(
    top_gateway: TopGateway, http: HttpSession, simplify: bool
) -> None:
    top_gateway.trades = trades_every_five_minutes(2)
    client = client_for(top_gateway, http, simplify=simplify)

    trades = client.trades_modified(DAY_START, DAY_END)

    assert [t["tid_str"] for t in trades] == ["5118609024991031010", "5118609024991031000"]
    assert trades[0]["orders"][0]["outer_sku_id"] == "SKU-001"  # `orders.order[]` unwrapped in the classic shape
    assert trades[0]["promotion_details"][0]["promotion_name"] == "店铺优惠"
    assert top_gateway.calls[0].get("simplify") == ("true" if simplify else None)


def test_increment_pages_from_the_last_page_back_with_page_size_100(
    top_gateway: TopGateway, top_client: TopClient
) -> None:
    top_gateway.trades = trades_every_five_minutes(250)

    trades = top_client.trades_modified(DAY_START, DAY_END)

    assert len(trades) == 250
    calls = top_gateway.data_calls(TRADES_INCREMENT)
    assert [c["page_no"] for c in calls] == ["1", "3", "2", "1"]
    assert {c["page_size"] for c in calls} == {"100"}
    assert calls[0]["start_modified"] == "2025-03-14 00:00:00"
    assert calls[0]["end_modified"] == "2025-03-14 23:59:59"  # the window's end is exclusive


def _modify_newest_trade_after_call(gateway: TopGateway, call_number: int) -> None:
    def on_request(number: int, form: dict[str, str]) -> None:
        if number == call_number + 1:
            newest = max(gateway.trades, key=lambda t: t["modified"])
            newest["modified"] = "2025-03-15 00:30:00"  # the buyer changed it: it leaves the window being paged
            newest["status"] = "TRADE_CLOSED"

    gateway.on_request = on_request


def test_paging_backwards_misses_nothing_when_an_order_changes_during_paging(
    top_gateway: TopGateway, top_client: TopClient
) -> None:
    top_gateway.trades = trades_every_five_minutes(250)
    _modify_newest_trade_after_call(top_gateway, call_number=2)  # after the first data page was read

    trades = top_client.trades_modified(DAY_START, DAY_END)

    still_in_window = {t["tid_str"] for t in top_gateway.trades if t["modified"] < "2025-03-15"}
    assert len(still_in_window) == 249
    assert still_in_window <= {t["tid_str"] for t in trades}
    assert len(trades) == len({t["tid_str"] for t in trades})  # an entry read twice is kept once


def test_paging_forwards_would_have_missed_one(top_gateway: TopGateway, top_client: TopClient) -> None:
    """The same change against naive forward paging: the reason the client pages backwards."""
    top_gateway.trades = trades_every_five_minutes(250)
    _modify_newest_trade_after_call(top_gateway, call_number=1)
    params = {"fields": "tid,tid_str,modified", "start_modified": "2025-03-14 00:00:00"}
    params["end_modified"] = "2025-03-14 23:59:59"

    seen = set()
    for page in (1, 2, 3):
        body = top_client.call(TRADES_INCREMENT, {**params, "page_no": page, "page_size": 100})
        seen |= {t["tid_str"] for t in body["trades"]}

    still_in_window = {t["tid_str"] for t in top_gateway.trades if t["modified"] < "2025-03-15"}
    assert len(still_in_window - seen) == 1


def test_sold_get_pages_by_created_time_with_use_has_next(top_gateway: TopGateway, top_client: TopClient) -> None:
    top_gateway.trades = trades_every_five_minutes(150)

    trades = top_client.trades_created(DAY_START, DAY_END)

    assert len(trades) == 150
    calls = top_gateway.data_calls(TRADES_CREATED)
    assert [(c["page_no"], c["page_size"], c["use_has_next"]) for c in calls] == [
        ("1", "100", "true"),
        ("2", "100", "true"),
    ]
    assert "tmall_i18n" in calls[0]["type"]  # trade types beyond the default list are asked for


def test_refunds_are_fetched_by_modified_time(top_gateway: TopGateway, top_client: TopClient) -> None:
    top_gateway.refunds = [
        {"refund_id": "88001", "tid": "5118609024991031000", "status": "SUCCESS", "modified": "2025-03-14 10:00:00"},
        {"refund_id": "88002", "tid": "5118609024991031010", "status": "CLOSED", "modified": "2025-03-15 10:00:00"},
    ]

    refunds = top_client.refunds_modified(DAY_START, DAY_END)

    assert [r["refund_id"] for r in refunds] == ["88001"]


def test_a_window_longer_than_a_day_is_refused_before_calling(top_gateway: TopGateway, top_client: TopClient) -> None:
    with pytest.raises(ValueError, match="longer than 1 day"):
        top_client.trades_modified(DAY_START, DAY_END + dt.timedelta(seconds=1))
    assert top_gateway.calls == []


def test_http_500_is_retried_with_growing_backoff(
    top_gateway: TopGateway, top_client: TopClient, sleeps: RecordedSleeps
) -> None:
    top_gateway.trades = trades_every_five_minutes(1)
    top_gateway.fail_next("500", "500")

    assert len(top_client.trades_modified(DAY_START, DAY_END)) == 1
    assert sleeps == [0.5, 1.0]  # base 1 s doubling, times the (fixed) jitter 0.5


def test_a_time_out_is_retried(top_gateway: TopGateway, top_client: TopClient, sleeps: RecordedSleeps) -> None:
    top_gateway.trades = trades_every_five_minutes(1)
    top_gateway.fail_next("hang")

    assert len(top_client.trades_modified(DAY_START, DAY_END)) == 1
    assert len(top_gateway.calls) == 2
    assert len(sleeps) == 1


def test_a_dropped_connection_is_retried(top_gateway: TopGateway, top_client: TopClient) -> None:
    top_gateway.trades = trades_every_five_minutes(1)
    top_gateway.fail_next("drop")

    assert len(top_client.trades_modified(DAY_START, DAY_END)) == 1


def test_retries_are_bounded(top_gateway: TopGateway, top_client: TopClient, sleeps: RecordedSleeps) -> None:
    top_gateway.fail_next("500", "500", "500", "500")

    with pytest.raises(ApiUnavailableError, match="failed 4 times, last: HTTP 500"):
        top_client.trades_modified(DAY_START, DAY_END)
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_short_ban_is_waited_out_and_paging_resumes(
    top_gateway: TopGateway, top_client: TopClient, sleeps: RecordedSleeps
) -> None:
    top_gateway.trades = trades_every_five_minutes(250)
    top_gateway.throttle_after = 2
    top_gateway.throttle_seconds = 30

    trades = top_client.trades_modified(DAY_START, DAY_END)

    assert len(trades) == 250
    assert sleeps == [30.0]


def test_a_ban_longer_than_the_maximum_wait_fails_clearly(
    top_gateway: TopGateway, top_client: TopClient, sleeps: RecordedSleeps
) -> None:
    top_gateway.fail_next(("ban", 31062))

    with pytest.raises(RateLimitedError, match=r"31062 more seconds.*API_MAX_BAN_WAIT_SECONDS") as raised:
        top_client.trades_modified(DAY_START, DAY_END)
    assert raised.value.ban_seconds == 31062
    assert sleeps == []


def test_an_invalid_session_says_how_to_renew_it(top_gateway: TopGateway, http: HttpSession) -> None:
    client = client_for(top_gateway, http, session="revoked-session")

    with pytest.raises(SessionExpiredError, match=r"Invalid session.*authorise the app again.*TOP_SESSION"):
        client.trades_modified(DAY_START, DAY_END)


def test_a_session_expiring_mid_run_says_how_to_renew_it(top_gateway: TopGateway, top_client: TopClient) -> None:
    top_gateway.trades = trades_every_five_minutes(250)
    top_gateway.fail(2, "expire")

    with pytest.raises(SessionExpiredError, match=r"session-expired.*refresh_token"):
        top_client.trades_modified(DAY_START, DAY_END)


def test_credentials_never_reach_the_logs_or_errors(
    top_gateway: TopGateway, top_client: TopClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    top_gateway.trades = trades_every_five_minutes(150)
    top_gateway.fail_next("500", "drop", ("ban", 5))
    top_client.trades_modified(DAY_START, DAY_END)
    top_gateway.session_expired = True
    with pytest.raises(SessionExpiredError) as raised:
        top_client.trades_modified(DAY_START, DAY_END)

    written = caplog.text + str(raised.value) + repr(top_client.config)
    assert "retry 1" in caplog.text and "waiting 5" in caplog.text  # the log did capture the client's messages
    for secret in (top_gateway.app_secret, top_gateway.session):
        assert secret not in written


def test_an_order_entering_the_window_during_paging_makes_the_client_page_again(
    top_gateway: TopGateway, top_client: TopClient
) -> None:
    top_gateway.trades = trades_every_five_minutes(250)

    def on_request(number: int, form: dict[str, str]) -> None:
        if number == 3:  # after the last page was read, a new order lands at the top of the list
            top_gateway.trades.append(make_trade(5118609024991099990, "2025-03-14 23:00:00"))

    top_gateway.on_request = on_request

    trades = top_client.trades_modified(DAY_START, DAY_END)

    assert {t["tid_str"] for t in trades} == {t["tid_str"] for t in top_gateway.trades}
    assert [c["page_no"] for c in top_gateway.data_calls(TRADES_INCREMENT)] == ["1", "3", "2", "1", "3", "2", "1"]


def test_configuration_comes_from_the_environment_with_documented_defaults() -> None:
    config = TopConfig.from_env({"TOP_APP_KEY": "k", "TOP_APP_SECRET": "s", "TOP_SESSION": "t"})

    assert (config.base_url, config.sign_method, config.simplify, config.shop) == (
        "https://gw.api.taobao.com/router/rest",
        "hmac-sha256",
        False,
        "tmall",
    )
    assert TopConfig.missing_env({"TOP_APP_KEY": "k"}) == ["TOP_APP_SECRET", "TOP_SESSION"]
    with pytest.raises(ValueError, match="TOP_SIGN_METHOD 'sha1'"):
        TopConfig.from_env({"TOP_APP_KEY": "k", "TOP_APP_SECRET": "s", "TOP_SESSION": "t", "TOP_SIGN_METHOD": "sha1"})


def test_a_transient_platform_error_is_retried(
    top_gateway: TopGateway, top_client: TopClient, sleeps: RecordedSleeps
) -> None:
    top_gateway.trades = trades_every_five_minutes(1)
    top_gateway.fail_next("isp")

    assert len(top_client.trades_modified(DAY_START, DAY_END)) == 1
    assert sleeps == [0.5]


def test_a_platform_error_that_persists_fails_with_the_platforms_words(
    top_gateway: TopGateway, top_client: TopClient
) -> None:
    top_gateway.fail_next("isp", "isp", "isp", "isp")

    with pytest.raises(ApiError, match=r"code 15 Remote service error, isp.remote-service-timeout: 服务超时"):
        top_client.trades_modified(DAY_START, DAY_END)
