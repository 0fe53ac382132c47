"""What a finished run tells people: the alerts of one run, composed from its outcomes.

- A run that failed, or in which a blocking check failed (Dagster's event log of the run): one alert, `gate_blocked`
  when blocking checks failed (each rule, its rows, one example, "the report was not rebuilt, the last good report
  is kept"), else `run_failure` (each failed step and its error's first line).
- A pipeline run that succeeded (the warehouse, read-only): `daily_digest` (the latest day's net sales, orders and
  refund rate, against the last 7 days, from `metrics.kpi_period_comparisons`), `kpi_anomaly` (the flagged rows of
  the latest day in `marts.daily_kpi_anomalies`: metric, value, baseline, deviation) and `stockout_risk` (the top
  sellers of `marts.inventory_health` that are out of stock or at risk).

Failure alerts need only the Dagster instance; success alerts read the warehouse, read-only, and raise
`WarehouseBusy` when another process holds its write lock (the sensor then tries again on its next tick).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from orchestration.alerts.config import (
    EVENT_DAILY_DIGEST,
    EVENT_GATE_BLOCKED,
    EVENT_KPI_ANOMALY,
    EVENT_RUN_FAILURE,
    EVENT_STOCKOUT_RISK,
    AlertSettings,
)
from orchestration.alerts.messages import Alert, bullet_list
from orchestration.ingest.declarations import PERSONAL_COLUMNS

if TYPE_CHECKING:
    import dagster as dg

PIPELINE_JOB_NAME = "tmall_daily_pipeline"
"""The job whose successful runs rebuild the marts and metric tables (orchestration/definitions.py)."""
TOP_SELLERS = 20
"""Stock-out risk is reported for the SKUs ranked this high by units sold in the last 28 days."""
ALERT_PREFIX = "【天猫数据】"

EXPECTATION_MEANINGS = {
    "expect_column_values_to_be_between": "取值超出允许范围",
    "expect_column_values_to_be_in_set": "取值不在允许的列表中",
    "expect_column_values_to_be_unique": "出现重复值",
    "expect_column_values_to_match_regex": "格式不符",
    "expect_column_values_to_not_be_null": "不能为空",
    "expect_compound_columns_to_be_unique": "组合键重复",
    "expect_column_max_to_be_between": "最大值超出允许范围",
    "dbt_source_freshness": "数据未按时到达",
}
KPI_LABELS = {
    "paid_orders": "支付订单数",
    "paid_gmv": "支付金额",
    "net_sales": "净销售额",
    "orders": "订单数",
    "refund_rate": "退款率",
}
MONEY_KPIS = {"paid_gmv", "net_sales"}
STOCK_STATUS_LABELS = {"out_of_stock": "已缺货", "stockout_risk": "缺货风险"}
LOCATION_KEYS = ("_source_file", "_source_row_number")
PERSONAL_EXAMPLE_KEYS = PERSONAL_COLUMNS
"""Example values never shown in a message: the raw tables' personal columns (orchestration/ingest/declarations.py)."""


class WarehouseBusy(RuntimeError):
    """The warehouse is being written by another process (DuckDB allows one writer): try again later."""


@dataclass
class CheckFailure:
    check_name: str
    asset_key: str
    description: str | None
    rules: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RunOutcome:
    run_id: str
    job_name: str
    status: str
    """Dagster's run status name: SUCCESS, FAILURE, CANCELED, ..."""
    step_failures: list[tuple[str, str]] = field(default_factory=list)
    """(step key, the error's first line), failures that a blocking check caused left out"""
    blocking_failures: list[CheckFailure] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status != "SUCCESS" or bool(self.step_failures or self.blocking_failures or self.skipped_steps)


def _root_error(error: Any) -> tuple[str, str]:
    """(class name, first line of the message) of the innermost error Dagster wrapped."""
    if error is None:
        return "", "未知错误"
    while error.cause is not None:
        error = error.cause
    lines = [line.strip() for line in (error.message or "").strip().splitlines() if line.strip()]
    return error.cls_name or "", lines[0] if lines else (error.cls_name or "未知错误")


def read_run_outcome(instance: dg.DagsterInstance, run_id: str) -> RunOutcome:
    """A run's status, failed steps, failed blocking checks and skipped steps, from its event log."""
    import dagster as dg

    run = instance.get_run_by_id(run_id)
    if run is None:
        raise ValueError(f"no run {run_id} on this Dagster instance")
    outcome = RunOutcome(run_id=run_id, job_name=run.job_name, status=run.status.value)
    check_failed_steps: list[tuple[str, str]] = []
    wanted = {
        dg.DagsterEventType.STEP_FAILURE,
        dg.DagsterEventType.ASSET_CHECK_EVALUATION,
        dg.DagsterEventType.STEP_SKIPPED,
        dg.DagsterEventType.RUN_FAILURE,
    }
    run_failure_message = None
    for entry in instance.all_logs(run_id, of_type=wanted):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            cls_name, first_line = _root_error(event.step_failure_data.error)
            target = check_failed_steps if cls_name == "DagsterAssetCheckFailedError" else outcome.step_failures
            target.append((event.step_key or "?", first_line))
        elif event.event_type == dg.DagsterEventType.STEP_SKIPPED:
            outcome.skipped_steps.append(event.step_key or "?")
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            run_failure_message = entry.message or event.message
        else:
            evaluation = event.event_specific_data
            if evaluation.passed or evaluation.severity == dg.AssetCheckSeverity.WARN or not evaluation.blocking:
                continue
            rules_value = evaluation.metadata.get("failed_rules")
            rules = list(rules_value.value) if rules_value is not None else []
            outcome.blocking_failures.append(
                CheckFailure(
                    check_name=evaluation.check_name,
                    asset_key=evaluation.asset_key.to_user_string(),
                    description=evaluation.description,
                    rules=[r for r in rules if isinstance(r, dict) and r.get("severity", "error") == "error"],
                )
            )
    if not outcome.blocking_failures:
        outcome.step_failures[:0] = check_failed_steps
    if outcome.status == "FAILURE" and not (outcome.step_failures or outcome.blocking_failures) and run_failure_message:
        outcome.step_failures.append(("run", run_failure_message.strip().splitlines()[0]))
    return outcome


def _suite_reasons(check_name: str) -> dict[str, str]:
    """Rule name (`<suite>.<column>.<check>`, what a failing gate reports) -> the suite's `meta.why`, for a Great
    Expectations check `gx_<suite>`. Keyed by rule, not by (expectation, column): one column can have two rules of
    one expectation type (an id's digits, which block, and its length, which warns)."""
    if not check_name.startswith("gx_"):
        return {}
    from orchestration.quality.great_expectations import EXPECTATIONS_DIR, known_rules

    suite = check_name[3:]
    if not (EXPECTATIONS_DIR / f"{suite}.json").is_file():
        return {}
    return {
        name: why
        for name, expectation in known_rules().items()
        if name.startswith(f"{suite}.") and (why := (expectation.get("meta") or {}).get("why"))
    }


def describe_example(example: dict[str, Any] | None, column: str | None) -> str:
    """One example row in words: where it is (file, row) and the failing value, personal values masked."""
    if not example:
        return ""
    parts: list[str] = []
    if example.get("_source_file"):
        row = example.get("_source_row_number")
        parts.append(f"{example['_source_file']}{f' 第 {row} 行' if row is not None else ''}")
    shown = [column] if column and column in example else [k for k in example if k not in LOCATION_KEYS][:3]
    for key in shown:
        value = "***" if key in PERSONAL_EXAMPLE_KEYS else example.get(key)
        parts.append(f"{key}={value}")
    return "，".join(parts)


def describe_rule(check: CheckFailure, rule: dict[str, Any], reasons: dict) -> str:
    expectation = rule.get("expectation") or "?"
    column = rule.get("column")
    meaning = EXPECTATION_MEANINGS.get(expectation, "")
    detail = "，".join(x for x in (f"字段 {column}" if column else "", meaning) if x)
    text = f"`{check.check_name}` 规则 **{expectation}**" + (f"（{detail}）" if detail else "")
    unexpected, total = rule.get("unexpected_count"), rule.get("element_count")
    if unexpected is not None:
        text += f"：**{unexpected:,}** 行不符" + (f"（共检查 {total:,} 行）" if total is not None else "")
    example = describe_example(rule.get("example"), column)
    if example:
        text += f"；例：{example}"
    why = reasons.get(rule.get("rule") or "")
    if why:
        text += f"（规则说明：{why}）"
    return text


def failure_alert(outcome: RunOutcome, settings: AlertSettings) -> Alert:
    """The one alert of a failed run: the blocking gate's rules, or the failed steps."""
    run_line = f"**任务** {outcome.job_name} · **运行** `{outcome.run_id}`"
    steps = [f"步骤 `{step}` 失败：{line}" for step, line in outcome.step_failures]
    pipeline = outcome.job_name == PIPELINE_JOB_NAME
    kept = "报表**未重建**，线上仍是上一次成功构建的报表。"
    if outcome.blocking_failures:
        rules: list[str] = []
        for check in outcome.blocking_failures:
            reasons = _suite_reasons(check.check_name)
            if check.rules:
                rules += [describe_rule(check, rule, reasons) for rule in check.rules]
            else:
                rules.append(
                    f"`{check.check_name}`（{check.asset_key}）未通过"
                    + (f"：{check.description}" if check.description else "")
                )
        first = outcome.blocking_failures[0]
        title = f"{ALERT_PREFIX}质量闸门拦截：{first.asset_key} 未通过阻断规则"
        blocks = [
            run_line,
            f"**未通过的阻断规则**（{len(rules)} 条）：",
            *bullet_list(rules, "条规则"),
            *(["**其他失败的步骤**：", *bullet_list(steps, "个步骤")] if steps else []),
            f"下游的 staging、marts、指标表与报表本次均未更新；{kept}",
            "修正后重新导出同一批记录放入落地目录即可：新的导出会取代有问题的那份，下一次运行自动解除拦截。",
        ]
        return Alert(
            event=EVENT_GATE_BLOCKED,
            run_id=outcome.run_id,
            job_name=outcome.job_name,
            title=title,
            level="error",
            blocks=tuple(blocks),
            link=settings.report_url("quality"),
            link_text="打开报表：数据质量",
            facts={
                "status": outcome.status,
                "blocking_checks": [
                    {"check_name": c.check_name, "asset_key": c.asset_key, "rules": c.rules}
                    for c in outcome.blocking_failures
                ],
                "failed_steps": [{"step": s, "error": e} for s, e in outcome.step_failures],
                "skipped_steps": len(outcome.skipped_steps),
                "report_rebuilt": False,
            },
        )
    status = "已取消" if outcome.status == "CANCELED" else "失败"
    if not steps:
        steps = [f"运行{status}（状态 {outcome.status}）"]
    blocks = [run_line, "**失败的步骤**：", *bullet_list(steps, "个步骤")]
    if pipeline:
        blocks.append(kept)
    else:
        blocks.append("API 数据本次未更新；管道任务不会在它之后启动。")
    return Alert(
        event=EVENT_RUN_FAILURE,
        run_id=outcome.run_id,
        job_name=outcome.job_name,
        title=f"{ALERT_PREFIX}数据任务{status}：{outcome.job_name}",
        level="error",
        blocks=tuple(blocks),
        link=settings.report_url(""),
        link_text="打开报表",
        facts={
            "status": outcome.status,
            "failed_steps": [{"step": s, "error": e} for s, e in outcome.step_failures],
            "skipped_steps": len(outcome.skipped_steps),
        },
    )


def _money(value: float | None) -> str:
    return "—" if value is None else f"¥{value:,.2f}"


def _change(value: float | None, baseline: float | None) -> str:
    if value is None or baseline in (None, 0):
        return ""
    change = (value - baseline) / baseline
    return f"，{'+' if change >= 0 else ''}{change:.1%}"


def digest_alert(con: duckdb.DuckDBPyConnection, run_id: str, settings: AlertSettings) -> Alert | None:
    """The latest day's net sales, orders and refund rate against the last 7 days (daily average; the 7 days'
    refund rate), every number a MetricFlow answer from metrics.kpi_period_comparisons."""
    rows = con.execute(
        "select period_key, metric_name, value, cast(start_date as varchar), cast(end_date as varchar) "
        "from metrics.kpi_period_comparisons where period_key in ('last_1d', 'last_7d') "
        "and metric_name in ('net_sales', 'orders', 'refund_rate')"
    ).fetchall()
    if not rows:
        return None
    values = {(period, metric): value for period, metric, value, _, _ in rows}
    day = next((end for period, _, _, _, end in rows if period == "last_1d"), None)
    week = next((f"{start} ~ {end}" for period, _, _, start, end in rows if period == "last_7d"), "")

    def daily(metric: str) -> float | None:
        total = values.get(("last_7d", metric))
        return None if total is None else total / 7

    net, orders, refund = (values.get(("last_1d", m)) for m in ("net_sales", "orders", "refund_rate"))
    refund_week = values.get(("last_7d", "refund_rate"))
    orders_text = "—" if orders is None else f"{orders:,.0f}"
    orders_base = daily("orders")
    refund_text = "—" if refund is None else f"{refund:.2%}"
    refund_points = (
        f"，{'+' if refund - refund_week >= 0 else ''}{(refund - refund_week) * 100:.2f} 个百分点"
        if refund is not None and refund_week is not None
        else ""
    )
    blocks = [
        f"**数据截至** {day}（最近一个有订单的日期）；基线：近7天（{week}）",
        f"- 净销售额：**{_money(net)}**（近7天日均 {_money(daily('net_sales'))}{_change(net, daily('net_sales'))}）",
        f"- 订单数：**{orders_text}**（近7天日均 "
        f"{'—' if orders_base is None else f'{orders_base:,.1f}'}{_change(orders, orders_base)}）",
        f"- 退款率：**{refund_text}**（近7天 {'—' if refund_week is None else f'{refund_week:.2%}'}{refund_points}）",
    ]
    return Alert(
        event=EVENT_DAILY_DIGEST,
        run_id=run_id,
        job_name=PIPELINE_JOB_NAME,
        title=f"{ALERT_PREFIX}每日经营简报 · {day}",
        level="info",
        blocks=tuple(blocks),
        link=settings.report_url(""),
        link_text="打开报表：经营概览",
        facts={
            "data_as_of": day,
            "net_sales": net,
            "orders": orders,
            "refund_rate": refund,
            "baseline_period": week,
            "net_sales_7d_daily_average": daily("net_sales"),
            "orders_7d_daily_average": orders_base,
            "refund_rate_7d": refund_week,
        },
    )


def anomaly_alert(con: duckdb.DuckDBPyConnection, run_id: str, settings: AlertSettings) -> Alert | None:
    """The KPI anomalies flagged on the latest day of marts.daily_kpi_anomalies; None when there are none."""
    rows = con.execute(
        "select cast(metric_date as varchar), kpi_name, kpi_value, baseline_value, relative_deviation, robust_z, "
        "direction from marts.daily_kpi_anomalies where is_anomaly "
        "and metric_date = (select max(metric_date) from marts.daily_kpi_anomalies) order by kpi_name"
    ).fetchall()
    if not rows:
        return None
    day = rows[0][0]
    items = []
    for _, kpi, value, baseline, deviation, robust_z, direction in rows:
        shown = (lambda v: _money(v)) if kpi in MONEY_KPIS else (lambda v: "—" if v is None else f"{v:,.0f}")
        arrow = "↑" if direction == "up" else "↓"
        items.append(
            f"{KPI_LABELS.get(kpi, kpi)}：{shown(value)}，基线 {shown(baseline)}，**{arrow} "
            f"{'+' if (deviation or 0) >= 0 else ''}{(deviation or 0):.1%}**"
            + (f"（稳健 Z 值 {robust_z:.1f}）" if robust_z is not None else "")
        )
    return Alert(
        event=EVENT_KPI_ANOMALY,
        run_id=run_id,
        job_name=PIPELINE_JOB_NAME,
        title=f"{ALERT_PREFIX}KPI 异常预警 · {day}（{len(rows)} 项）",
        level="warning",
        blocks=(
            f"**{day}** 的指标偏离基线：",
            *bullet_list(items),
            "基线：此前 8 周同一星期几的中位数（不含大促与节假日）；稳健 Z 值绝对值 ≥ 3.5 且偏离 ≥ 20% 记为异常，"
            "大促或节假日的上涨属预期，不报。",
        ),
        link=settings.report_url(""),
        link_text="打开报表：经营概览",
        facts={
            "metric_date": day,
            "anomalies": [
                {"kpi": k, "value": v, "baseline": b, "relative_deviation": d, "robust_z": z, "direction": dr}
                for _, k, v, b, d, z, dr in rows
            ],
        },
    )


def stockout_alert(con: duckdb.DuckDBPyConnection, run_id: str, settings: AlertSettings) -> Alert | None:
    """Top sellers (by units sold in 28 days) that marts.inventory_health marks out of stock or at risk."""
    rows = con.execute(
        f"""
        with ranked as (
            select *, row_number() over (order by units_sold_28d desc, sku_id) as sales_rank
            from marts.inventory_health where units_sold_28d > 0
        ),
        names as (select sku_id, min(product_name) as product_name from marts.dim_products group by sku_id)
        select ranked.sales_rank, ranked.sku_id, names.product_name, ranked.stock_status, ranked.available_qty,
            cast(ranked.days_of_cover as double), ranked.units_sold_28d, ranked.suggested_reorder_qty,
            cast(ranked.snapshot_date as varchar)
        from ranked left join names on names.sku_id = ranked.sku_id
        where ranked.sales_rank <= {TOP_SELLERS} and ranked.stock_status in ('out_of_stock', 'stockout_risk')
        order by ranked.sales_rank
        """
    ).fetchall()
    if not rows:
        return None
    items = []
    for rank, sku, name, status, available, cover, sold, reorder, _ in rows:
        cover_text = f"，可售 {cover:.1f} 天" if cover is not None else ""
        items.append(
            f"销量第 {rank} 名 `{sku}` {name or ''}：**{STOCK_STATUS_LABELS.get(status, status)}**，"
            f"可用 {available:,}{cover_text}，近28天售出 {sold:,}，建议补货 {reorder:,}"
        )
    return Alert(
        event=EVENT_STOCKOUT_RISK,
        run_id=run_id,
        job_name=PIPELINE_JOB_NAME,
        title=f"{ALERT_PREFIX}缺货预警：{len(rows)} 个畅销 SKU",
        level="warning",
        blocks=(
            f"近28天销量前 {TOP_SELLERS} 的 SKU 中，以下已缺货或可售天数低于补货提前期 + 安全天数"
            f"（库存快照 {rows[0][8]}）：",
            *bullet_list(items, "个 SKU"),
        ),
        link=settings.report_url("inventory"),
        link_text="打开报表：库存与补货",
        facts={
            "top_sellers": TOP_SELLERS,
            "skus": [
                {
                    "sales_rank": r,
                    "sku_id": s,
                    "product_name": n,
                    "stock_status": st,
                    "available_qty": a,
                    "days_of_cover": c,
                    "units_sold_28d": u,
                    "suggested_reorder_qty": q,
                    "snapshot_date": d,
                }
                for r, s, n, st, a, c, u, q, d in rows
            ],
        },
    )


SUCCESS_ALERTS = (
    (EVENT_DAILY_DIGEST, digest_alert),
    (EVENT_KPI_ANOMALY, anomaly_alert),
    (EVENT_STOCKOUT_RISK, stockout_alert),
)


def success_alerts(warehouse_path: Path, run_id: str, settings: AlertSettings) -> list[Alert]:
    """The digest, anomaly and stock-out alerts of a successful pipeline run (those ALERT_EVENTS asks for)."""
    wanted = [(event, build) for event, build in SUCCESS_ALERTS if settings.wants(event)]
    if not wanted or not warehouse_path.exists():
        return []
    try:
        con = duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.IOException as exc:
        raise WarehouseBusy(f"the warehouse is locked by another process: {exc}") from None
    alerts: list[Alert] = []
    with con:
        for _, build in wanted:
            try:
                alert = build(con, run_id, settings)
            except duckdb.CatalogException:  # a table this data set does not have (no ERP: no inventory health)
                alert = None
            if alert is not None:
                alerts.append(alert)
    return alerts


def run_alerts(instance: dg.DagsterInstance, run_id: str, warehouse_path: Path, settings: AlertSettings) -> list[Alert]:
    """Every alert of a finished run that ALERT_EVENTS asks for, in the order they are sent."""
    outcome = read_run_outcome(instance, run_id)
    if outcome.failed:
        alert = failure_alert(outcome, settings)
        return [alert] if settings.wants(alert.event) else []
    if outcome.job_name != PIPELINE_JOB_NAME:
        return []
    return success_alerts(warehouse_path, run_id, settings)
