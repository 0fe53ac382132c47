"""`make run` (`python -m orchestration.run`) with the ALERT_* settings pointing at local receivers: a clean run
delivers the daily digest to every channel, a broken order export delivers one Chinese message per channel naming
the failing rule, a channel that is down never fails the run, nothing is sent twice, and no secret is printed."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT
from tests.support.alert_receivers import SECRETS, Mailbox, Receivers, serve_receivers, serve_smtp

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]

REPORT = "https://report.shop.example"
CHANNELS = ("dingtalk", "wecom", "feishu", "webhook")


@dataclass
class Runs:
    root: Path
    env: dict[str, str]
    receivers: Receivers
    mailbox: Mailbox
    clean: subprocess.CompletedProcess
    clean_received: list
    clean_mail: list
    broken: subprocess.CompletedProcess
    broken_received: list
    broken_mail: list


def make_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    """What `make run` runs (the Makefile's `run` target), in a subprocess with these settings."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.run", "--demo-data", "never"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=2000,
        check=False,
    )


def write_broken_order_report(landing: Path) -> None:
    """A re-export of three real orders under new ids: one with a negative 总金额, one with an unknown status."""
    source = sorted((landing / "tmall").rglob("ExportOrderList*.csv"))[0]
    lines = source.read_bytes().decode("gb18030").split("\r\n")
    header = lines[0].split(",")
    names = [h.strip() for h in header]
    rows = [line.split(",") for line in lines[1:4]]
    for n, row in enumerate(rows):
        row[names.index("订单编号")] = f'="{9990000000000000001 + n}"'
    rows[0][names.index("总金额")] = "-128.00"
    rows[1][names.index("订单状态")] = "卖家已发货，等待火星确认"
    path = landing / "redelivered" / "ExportOrderList_broken.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(("\r\n".join(",".join(r) for r in [header, *rows]) + "\r\n").encode("gb18030"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> Iterator[Runs]:
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.reports.evidence import ensure_node_modules
    from tests.support.reports_project import stage_reports_project

    root = tmp_path_factory.mktemp("alerts_make_run")
    ensure_node_modules(PROJECT_ROOT / "reports")
    # without the demo's planted bad input: the blocking run re-exports a report itself
    generate(root / "landing", DemoConfig(orders=400, days=60, skus=60, bad_input=False))
    with serve_receivers() as receivers, serve_smtp() as mailbox:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ALERT_")},
            **receivers.env(),
            "ALERT_SMTP_URL": mailbox.url,
            "ALERT_EMAIL_TO": "ops@shop.example",
            "ALERT_RETRY_BACKOFF_SECONDS": "0.05",
            "REPORT_BASE_URL": REPORT,
            "DAGSTER_HOME": str(root / "dagster_home"),
            "LANDING_DIR": str(root / "landing"),
            "WAREHOUSE_PATH": str(root / "warehouse" / "analytics.duckdb"),
            "REPORTS_DIR": str(stage_reports_project(root / "reports")),
            "QUALITY_DOCS_DIR": str(root / "quality_docs"),
        }
        # WeCom is down during the clean run: its delivery fails after every retry, the run does not
        receivers.fail_next("/wecom/", 503, 100)
        clean = make_run(env)
        clean_received, clean_mail = list(receivers.received), list(mailbox.messages)
        receivers.failures.clear()

        write_broken_order_report(root / "landing")
        broken = make_run(env)
        broken_received = receivers.received[len(clean_received) :]
        broken_mail = mailbox.messages[len(clean_mail) :]
        yield Runs(
            root, env, receivers, mailbox, clean, clean_received, clean_mail, broken, broken_received, broken_mail
        )


def deliveries(runs: Runs) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(runs.root / "dagster_home" / "alert_deliveries.sqlite") as con:
        return con.execute(
            "select event, channel, status, attempts from alert_deliveries order by claimed_at"
        ).fetchall()


def test_a_clean_run_delivers_the_daily_digest_to_every_channel_but_the_one_that_is_down(runs: Runs) -> None:
    assert runs.clean.returncode == 0, runs.clean.stderr[-4000:]
    digests = {r.platform: r for r in runs.clean_received if r.accepted and "每日经营简报" in str(r.payload)}
    assert set(digests) == {"dingtalk", "feishu", "webhook"}, "WeCom answered 503 throughout"
    with duckdb.connect(runs.env["WAREHOUSE_PATH"], read_only=True) as con:
        net_sales, day = con.execute(
            "select value, cast(end_date as varchar) from metrics.kpi_period_comparisons "
            "where period_key = 'last_1d' and metric_name = 'net_sales'"
        ).fetchone()
    text = digests["dingtalk"].payload["markdown"]["text"]
    assert f"每日经营简报 · {day}" in text and f"净销售额：**¥{net_sales:,.2f}**" in text
    assert "订单数" in text and "退款率" in text and "近7天" in text
    assert f"({REPORT}/)" in text, "the link to the report's overview page"
    facts = digests["webhook"].payload["facts"]
    assert facts["data_as_of"] == day and facts["net_sales"] == pytest.approx(net_sales)
    assert any("每日经营简报" in str(m["Subject"]) for m in runs.clean_mail)

    recorded = [row for row in deliveries(runs) if row[0] == "daily_digest"]
    assert ("daily_digest", "wecom", "failed", 4) in recorded
    assert {(c, s) for _, c, s, _ in recorded} >= {("dingtalk", "sent"), ("feishu", "sent"), ("email", "sent")}


def test_a_broken_order_export_delivers_one_chinese_message_per_channel_naming_the_failing_rule(runs: Runs) -> None:
    assert runs.broken.returncode == 1, runs.broken.stdout[-3000:]
    assert [r.platform for r in runs.broken_received if r.accepted] and all(r.accepted for r in runs.broken_received)
    assert sorted(r.platform for r in runs.broken_received) == sorted(CHANNELS), "one message per channel"
    assert len(runs.broken_mail) == 1
    dingtalk = next(r for r in runs.broken_received if r.platform == "dingtalk").payload["markdown"]["text"]
    assert "质量闸门拦截" in dingtalk and "raw/tmall_orders" in dingtalk
    # the raw tables hold text: a negative 总金额 fails the amount format, an unknown status the vocabulary
    assert "expect_column_values_to_match_regex" in dingtalk and "total_amount=-128.00" in dingtalk
    assert "expect_column_values_to_be_in_set" in dingtalk and "order_status=卖家已发货，等待火星确认" in dingtalk
    assert "ExportOrderList_broken.csv" in dingtalk, "one example row: file and row number"
    assert "未重建" in dingtalk and "上一次成功构建的报表" in dingtalk
    assert f"({REPORT}/quality/)" in dingtalk
    webhook = next(r for r in runs.broken_received if r.platform == "webhook").payload
    assert webhook["event"] == "gate_blocked" and webhook["facts"]["report_rebuilt"] is False
    rules = {rule["expectation"] for check in webhook["facts"]["blocking_checks"] for rule in check["rules"]}
    assert {"expect_column_values_to_match_regex", "expect_column_values_to_be_in_set"} <= rules
    assert "质量闸门拦截" in str(runs.broken_mail[0]["Subject"])


def test_an_alert_is_not_sent_twice_for_the_same_run(runs: Runs) -> None:
    import dagster as dg

    from orchestration.alerts.config import AlertSettings
    from orchestration.alerts.delivery import notify_run

    before = len(runs.receivers.received), len(runs.mailbox.messages)
    with dg.DagsterInstance.from_config(runs.env["DAGSTER_HOME"]) as instance:
        run_ids = [run.run_id for run in instance.get_runs()]
        assert len(run_ids) == 2
        for run_id in run_ids:  # what the daemon's sensor would do for the runs `make run` already reported
            assert (
                notify_run(instance, run_id, Path(runs.env["WAREHOUSE_PATH"]), AlertSettings.from_env(runs.env)) == []
            )
    assert (len(runs.receivers.received), len(runs.mailbox.messages)) == before


def test_no_secret_is_printed_by_make_run(runs: Runs) -> None:
    printed = runs.clean.stdout + runs.clean.stderr + runs.broken.stdout + runs.broken.stderr
    assert "attempt 1 of 4 failed (HTTP 503)" in printed, "the failing channel is logged"
    for secret in SECRETS:
        assert secret not in printed
