"""The 聚水潭 client against a local server that verifies signatures, pages, throttles and fails like the ERP API."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

import pytest

from orchestration.ingest.api.errors import ApiError, ApiUnavailableError, RateLimitedError, SessionExpiredError
from orchestration.ingest.api.http import HttpSession
from orchestration.ingest.api.jushuitan import JstClient, JstConfig, jst_sign
from tests.ingest.api.conftest import RecordedSleeps, jst_config
from tests.support.protocol_servers.jushuitan_gateway import JushuitanGateway, make_order

WEEK_START = dt.datetime(2025, 3, 8)
WEEK_END = dt.datetime(2025, 3, 15)


def orders_every_hour(count: int) -> list[dict]:
    return [
        make_order(9000 + i, (WEEK_START + dt.timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")) for i in range(count)
    ]


def test_the_signature_is_lower_hex_md5_of_secret_and_sorted_pairs() -> None:
    form = {"biz": "{}", "app_key": "k", "access_token": "t", "timestamp": "1", "charset": "utf-8", "version": "2"}
    expected = hashlib.md5(b"secretaccess_tokentapp_keykbiz{}charsetutf-8timestamp1version2").hexdigest()
    assert jst_sign(form, "secret") == expected


def test_orders_are_paged_by_page_index_over_a_signed_form(
    jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    jst_gateway.orders = orders_every_hour(120)

    orders = jst_client.orders_modified(WEEK_START, WEEK_END)

    assert len(orders) == 120
    bizzes = [json.loads(c["biz"]) for c in jst_gateway.calls]
    assert [b["page_index"] for b in bizzes] == [1, 3, 2, 1]  # the count first, then from the last page back
    assert bizzes[0]["modified_begin"] == "2025-03-08 00:00:00"
    assert bizzes[0]["modified_end"] == "2025-03-14 23:59:59"
    assert {c["version"] for c in jst_gateway.calls} == {"2"}


def test_an_order_modified_during_paging_hides_no_other_order(
    jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    jst_gateway.orders = orders_every_hour(120)

    def on_request(number: int, form: dict[str, str]) -> None:
        if number == 3:  # after the last page was read, the oldest order is changed: it leaves the window
            jst_gateway.orders[0]["modified"] = "2025-03-15 01:00:00"

    jst_gateway.on_request = on_request

    orders = jst_client.orders_modified(WEEK_START, WEEK_END)

    still_in_window = {o["o_id"] for o in jst_gateway.orders if o["modified"] < "2025-03-15"}
    assert len(still_in_window) == 119
    assert still_in_window <= {o["o_id"] for o in orders}
    assert len(orders) == len({o["o_id"] for o in orders})


def test_without_counts_in_the_answer_pages_forwards_while_has_next(
    jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    jst_gateway.orders = orders_every_hour(120)
    jst_gateway.report_counts = False

    assert len(jst_client.orders_modified(WEEK_START, WEEK_END)) == 120
    assert [json.loads(c["biz"])["page_index"] for c in jst_gateway.calls] == [1, 2, 3]


def test_empty_strings_arrive_as_null(jst_gateway: JushuitanGateway, jst_client: JstClient) -> None:
    jst_gateway.orders = orders_every_hour(1)

    (order,) = jst_client.orders_modified(WEEK_START, WEEK_END)

    assert order["freight"] is None and order["send_date"] is None
    assert order["items"][0]["outer_oi_id"] is None
    assert order["pay_amount"] == "128.00"


def test_a_window_longer_than_7_days_is_refused(jst_gateway: JushuitanGateway, jst_client: JstClient) -> None:
    with pytest.raises(ValueError, match="longer than 7 days"):
        jst_client.orders_modified(WEEK_START, WEEK_END + dt.timedelta(hours=1))
    assert jst_gateway.calls == []


def test_a_wrong_secret_gets_the_servers_error(jst_gateway: JushuitanGateway, http: HttpSession) -> None:
    client = JstClient(jst_config(jst_gateway, app_secret="wrong"), http=http)

    with pytest.raises(ApiError, match="code 20: 签名错误"):
        client.orders_modified(WEEK_START, WEEK_END)


def test_a_non_zero_code_is_an_error(jst_gateway: JushuitanGateway, jst_client: JstClient) -> None:
    with pytest.raises(ApiError, match=r"code 404: 接口 /open/nothing 不存在"):
        jst_client.post("/open/nothing", {})


def test_an_expired_token_says_how_to_renew_it(jst_gateway: JushuitanGateway, jst_client: JstClient) -> None:
    jst_gateway.token_expired = True

    with pytest.raises(SessionExpiredError, match=r"access_token已过期.*refresh_token.*JST_ACCESS_TOKEN"):
        jst_client.orders_modified(WEEK_START, WEEK_END)


def test_a_rate_limit_answer_pauses_and_resumes(
    jst_gateway: JushuitanGateway, jst_client: JstClient, sleeps: RecordedSleeps
) -> None:
    jst_gateway.orders = orders_every_hour(120)
    jst_gateway.throttle_after = 1

    assert len(jst_client.orders_modified(WEEK_START, WEEK_END)) == 120
    assert sleeps == [5.0]  # JST_RATE_LIMIT_WAIT_SECONDS, the answer names no wait


def test_a_rate_limit_naming_its_wait_is_waited_that_long(
    jst_gateway: JushuitanGateway, jst_client: JstClient, sleeps: RecordedSleeps
) -> None:
    jst_gateway.throttle_message = "调用频率超限，请20秒后再试"
    jst_gateway.fail_next("throttle")

    jst_client.orders_modified(WEEK_START, WEEK_END)

    assert sleeps == [20.0]


def test_rate_limiting_beyond_the_maximum_wait_fails_clearly(
    jst_gateway: JushuitanGateway, jst_client: JstClient
) -> None:
    jst_gateway.throttle_message = "调用频率超限，请3600秒后再试"
    jst_gateway.fail_next("throttle")

    with pytest.raises(RateLimitedError, match=r"code 199.*API_MAX_BAN_WAIT_SECONDS"):
        jst_client.orders_modified(WEEK_START, WEEK_END)


def test_500s_and_time_outs_are_retried(
    jst_gateway: JushuitanGateway, jst_client: JstClient, sleeps: RecordedSleeps
) -> None:
    jst_gateway.orders = orders_every_hour(2)
    jst_gateway.fail_next("500", "hang", "drop")

    assert len(jst_client.orders_modified(WEEK_START, WEEK_END)) == 2
    assert sleeps == [0.5, 1.0, 2.0]


def test_a_server_that_keeps_failing_gives_up(jst_gateway: JushuitanGateway, jst_client: JstClient) -> None:
    jst_gateway.fail_next("500", "500", "500", "500")

    with pytest.raises(ApiUnavailableError, match=r"聚水潭 /open/orders/single/query.*failed 4 times"):
        jst_client.orders_modified(WEEK_START, WEEK_END)


def test_credentials_come_from_the_environment_and_never_reach_logs(
    jst_gateway: JushuitanGateway, http: HttpSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    environ = {
        "JST_APP_KEY": jst_gateway.app_key,
        "JST_APP_SECRET": jst_gateway.app_secret,
        "JST_ACCESS_TOKEN": jst_gateway.access_token,
        "JST_BASE_URL": jst_gateway.url + "/",
        "JST_RATE_LIMIT_WAIT_SECONDS": "1",
    }
    client = JstClient(JstConfig.from_env(environ), http=http)
    jst_gateway.orders = orders_every_hour(60)
    jst_gateway.fail_next("500", "throttle")
    client.orders_modified(WEEK_START, WEEK_END)
    jst_gateway.token_expired = True
    with pytest.raises(SessionExpiredError) as raised:
        client.orders_modified(WEEK_START, WEEK_END)

    written = caplog.text + str(raised.value) + repr(client.config)
    assert "rate limited" in caplog.text
    for secret in (jst_gateway.app_secret, jst_gateway.access_token):
        assert secret not in written


def test_missing_credentials_are_named() -> None:
    assert JstConfig.missing_env({"JST_APP_KEY": "k"}) == ["JST_APP_SECRET", "JST_ACCESS_TOKEN"]
    with pytest.raises(ApiError, match="set JST_APP_SECRET, JST_ACCESS_TOKEN"):
        JstConfig.from_env({"JST_APP_KEY": "k"})
