"""Each channel posts its platform's documented payload and signature, to local receivers that check them; a failed
delivery is retried with back-off and recorded, never raised; an alert goes out once per run; no secret is logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from orchestration.alerts.config import AlertConfigError, AlertSettings, parse_events
from orchestration.alerts.delivery import DeliveryLog, deliver, send_alerts
from orchestration.alerts.messages import Alert
from tests.support.alert_receivers import (
    DINGTALK_SECRET,
    SECRETS,
    dingtalk_expected_sign,
    feishu_expected_sign,
    serve_receivers,
    serve_smtp,
)

REPORT = "http://report.shop.example/analytics"


def gate_alert(run_id: str = "run-0001") -> Alert:
    return Alert(
        event="gate_blocked",
        run_id=run_id,
        job_name="tmall_daily_pipeline",
        title="【天猫数据】质量闸门拦截：raw/tmall_orders 未通过阻断规则",
        level="error",
        blocks=(
            "**任务** tmall_daily_pipeline · **运行** `run-0001`",
            "**未通过的阻断规则**（1 条）：",
            "- `gx_raw_tmall_orders` 规则 **expect_column_values_to_be_between**（字段 total_amount）：**1** 行不符",
            "报表**未重建**，线上仍是上一次成功构建的报表。",
        ),
        link=f"{REPORT}/quality/",
        link_text="打开报表：数据质量",
        facts={"report_rebuilt": False},
    )


def settings_for(env: dict[str, str], **overrides) -> AlertSettings:
    settings = AlertSettings.from_env({**env, "REPORT_BASE_URL": REPORT})
    return AlertSettings(**{**settings.__dict__, "backoff_seconds": 0.01, **overrides})


def test_every_platform_receives_its_documented_payload_with_a_valid_signature(tmp_path: Path) -> None:
    with serve_receivers() as receivers, serve_smtp() as mailbox:
        env = {
            **receivers.env(),
            "ALERT_SMTP_URL": mailbox.url,
            "ALERT_EMAIL_TO": "ops@shop.example, boss@shop.example",
        }
        deliveries = send_alerts([gate_alert()], settings_for(env), DeliveryLog(tmp_path / "log.sqlite"))
        messages = mailbox.wait_for(1)

    assert sorted((d.channel, d.status, d.attempts) for d in deliveries) == [
        ("dingtalk", "sent", 1),
        ("email", "sent", 1),
        ("feishu", "sent", 1),
        ("webhook", "sent", 1),
        ("wecom", "sent", 1),
    ]
    by_platform = {r.platform: r for r in receivers.received}
    assert all(r.accepted for r in receivers.received) and len(receivers.received) == 4

    dingtalk = by_platform["dingtalk"]
    assert dingtalk.query["sign"] == dingtalk_expected_sign(DINGTALK_SECRET, dingtalk.query["timestamp"])
    assert dingtalk.payload["msgtype"] == "markdown"
    assert dingtalk.payload["markdown"]["text"].startswith("#### 【天猫数据】质量闸门拦截")
    assert f"[打开报表：数据质量]({REPORT}/quality/)" in dingtalk.payload["markdown"]["text"]

    wecom = by_platform["wecom"].payload
    assert wecom["msgtype"] == "markdown" and "expect_column_values_to_be_between" in wecom["markdown"]["content"]
    assert '<font color="warning">' in wecom["markdown"]["content"]

    feishu = by_platform["feishu"].payload
    assert feishu["sign"] == feishu_expected_sign("feishu-secret-1f2e3d4c5b6a", feishu["timestamp"])
    assert feishu["msg_type"] == "interactive"
    assert feishu["card"]["header"] == {
        "title": {"tag": "plain_text", "content": gate_alert().title},
        "template": "red",
    }
    assert feishu["card"]["elements"][1]["actions"][0]["url"] == f"{REPORT}/quality/"

    webhook = by_platform["webhook"].payload
    assert (webhook["event"], webhook["run_id"], webhook["report_url"]) == (
        "gate_blocked",
        "run-0001",
        f"{REPORT}/quality/",
    )
    assert webhook["facts"] == {"report_rebuilt": False}

    (message,) = messages
    assert message["Subject"] == "【天猫数据】" + gate_alert().title
    assert mailbox.recipients == [["ops@shop.example", "boss@shop.example"]]
    assert "报表未重建" in message.get_body(("plain",)).get_content()
    assert f'<a href="{REPORT}/quality/">' in message.get_body(("html",)).get_content()


def test_a_wrong_dingtalk_secret_is_rejected_recorded_and_not_retried(tmp_path: Path) -> None:
    log = DeliveryLog(tmp_path / "log.sqlite")
    with serve_receivers() as receivers:
        env = {"ALERT_DINGTALK_WEBHOOK": receivers.env()["ALERT_DINGTALK_WEBHOOK"], "ALERT_DINGTALK_SECRET": "SECwrong"}
        (delivery,) = send_alerts([gate_alert()], settings_for(env), log)
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "310000" in delivery.last_error
    assert [r.answer["errcode"] for r in receivers.received] == [310000]
    assert [(d.status, d.attempts) for d in log.deliveries("run-0001")] == [("failed", 1)]


def test_a_failing_receiver_is_retried_with_exponential_back_off() -> None:
    waits: list[float] = []
    with serve_receivers() as receivers:
        receivers.fail_next("/webhook", 503, 2)
        settings = settings_for({"ALERT_WEBHOOK_URL": f"{receivers.base}/webhook"}, backoff_seconds=0.5)
        status, attempts, error = deliver(gate_alert(), settings.channels[0], settings, sleep=waits.append)
    assert (status, attempts, error) == ("sent", 3, None)
    assert waits == [0.5, 1.0]
    assert len(receivers.accepted("webhook")) == 1


def test_a_delivery_that_keeps_failing_gives_up_after_the_last_attempt_without_raising(tmp_path: Path) -> None:
    with serve_receivers() as receivers:
        receivers.fail_next("/webhook", 500, 10)
        settings = settings_for({"ALERT_WEBHOOK_URL": f"{receivers.base}/webhook"}, attempts=3)
        (delivery,) = send_alerts([gate_alert()], settings, DeliveryLog(tmp_path / "log.sqlite"))
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 3, "HTTP 500")


def test_the_same_alert_is_not_sent_twice_for_the_same_run(tmp_path: Path) -> None:
    log = DeliveryLog(tmp_path / "log.sqlite")
    with serve_receivers() as receivers:
        settings = settings_for({"ALERT_WEBHOOK_URL": f"{receivers.base}/webhook"})
        first = send_alerts([gate_alert()], settings, log)
        again = send_alerts([gate_alert()], settings, log)
        other_run = send_alerts([gate_alert("run-0002")], settings, log)
    assert [d.status for d in first] == ["sent"] and again == [] and [d.status for d in other_run] == ["sent"]
    assert [r.payload["run_id"] for r in receivers.accepted("webhook")] == ["run-0001", "run-0002"]


def test_no_secret_reaches_the_log_or_the_delivery_record(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = DeliveryLog(tmp_path / "log.sqlite")
    with serve_receivers() as receivers:
        env = receivers.env()
    # the receivers are gone: every channel fails to connect, and requests' errors name the URL they tried
    caplog.set_level(logging.DEBUG)
    settings = settings_for(
        {**env, "ALERT_SMTP_URL": "smtp://alerts:p4ssw0rd-secret@127.0.0.1:9", "ALERT_EMAIL_TO": "a@b.c"}, attempts=2
    )
    deliveries = send_alerts([gate_alert()], settings, log)
    assert {d.status for d in deliveries} == {"failed"} and len(deliveries) == 5
    recorded = " ".join(d.last_error or "" for d in log.deliveries())
    assert "ConnectionError" in recorded or "ConnectionRefusedError" in recorded
    for secret in (*SECRETS, "p4ssw0rd-secret"):
        assert secret not in caplog.text
        assert secret not in recorded
    assert "dingtalk (127.0.0.1:" in caplog.text
    assert "ALERT" not in repr(settings.channels) and env["ALERT_WEBHOOK_URL"] not in repr(settings)


def test_alert_settings_from_the_environment() -> None:
    assert AlertSettings.from_env({}).enabled is False
    assert parse_events(None) == parse_events("all") and len(parse_events("all")) == 5
    assert parse_events("run_failure, gate_blocked") == {"run_failure", "gate_blocked"}
    assert AlertSettings.from_env({"ALERT_WEBHOOK_URL": "http://x", "ALERT_EVENTS": "none"}).enabled is False
    with pytest.raises(AlertConfigError, match="daily_digest"):
        parse_events("daily_digset")
    with pytest.raises(AlertConfigError, match="ALERT_EMAIL_TO"):
        AlertSettings.from_env({"ALERT_SMTP_URL": "smtp://127.0.0.1:25"})
    settings = AlertSettings.from_env({"REPORT_BASE_URL": "https://r.example/"})
    assert (settings.report_url(""), settings.report_url("inventory")) == (
        "https://r.example/",
        "https://r.example/inventory/",
    )
    assert AlertSettings.from_env({}).report_url("quality") is None
