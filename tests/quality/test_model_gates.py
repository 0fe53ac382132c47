"""Gates on marts and metric tables, and suites that cannot be built."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from orchestration.quality.great_expectations import SuiteDefinitionError, load_suite_definition, validate_dataframe


def test_a_suite_with_an_expectation_gx_cannot_build_is_an_error_not_a_silent_pass() -> None:
    definition = {
        "name": "broken_suite",
        "expectations": [{"type": "expect_column_pair_values_A_to_be_greater_than_B", "kwargs": {}}],
    }
    with pytest.raises(SuiteDefinitionError, match="could not build"):
        validate_dataframe(pd.DataFrame({"a": [1]}), definition)


def orders(**overrides) -> pd.DataFrame:
    row = {
        "order_id": "5118609024991031607",
        "total_amount": 128.0,
        "order_status": "TRADE_FINISHED",
        "_total_minus_paid": 0.0,
        "_paid_minus_refund": 100.0,
    }
    return pd.DataFrame([row, {**row, "order_id": "5118609024991031608", **overrides}])


def test_fct_orders_gate_passes_clean_orders_and_catches_paid_above_total() -> None:
    suite = load_suite_definition("marts_fct_orders")
    assert validate_dataframe(orders(), suite).passed

    outcome = validate_dataframe(orders(_total_minus_paid=-5.0), suite)

    assert [f.column for f in outcome.failures] == ["_total_minus_paid"]


def test_daily_kpis_gate_catches_a_missing_day() -> None:
    days = [dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 1, 4)]
    frame = pd.DataFrame(
        {
            "metric_date": days,
            "_days_since_previous": [None, 1, 2],
            "orders": [3, 1, 2],
            "gmv": [1.0] * 3,
            "paid_gmv": [1.0] * 3,
            "net_sales": [1.0] * 3,
            "refund_amount": [0.0] * 3,
        }
    )

    outcome = validate_dataframe(frame, load_suite_definition("metrics_daily_kpis"))

    assert [f.column for f in outcome.failures] == ["_days_since_previous"]


def order_lines(**overrides) -> pd.DataFrame:
    row = {
        "order_line_id": "5118609024991031607-1",
        "product_key": "SKU-1",
        "quantity": 1,
        "unit_price": 99.0,
        "line_revenue": 89.0,
        "cost_amount": 40.0,
        "mapping_status": "mapped",
        "_unmapped_revenue_share_30d": 0.02,
    }
    return pd.DataFrame([row, {**row, "order_line_id": "5118609024991031607-2", **overrides}])


def test_order_lines_gate_blocks_negative_revenue_and_only_warns_above_the_unmapped_share() -> None:
    suite = load_suite_definition("marts_fct_order_lines")
    assert validate_dataframe(order_lines(), suite).passed

    negative = validate_dataframe(order_lines(line_revenue=-1.0, mapping_status="guessed"), suite)
    assert not negative.passed
    assert {(f.column, f.severity) for f in negative.failures} == {
        ("line_revenue", "error"),
        ("mapping_status", "error"),
    }

    unmapped = validate_dataframe(order_lines(_unmapped_revenue_share_30d=0.25), suite)
    assert unmapped.passed  # a soft threshold: recorded and alerting, not blocking
    assert [(f.column, f.severity) for f in unmapped.failures] == [("_unmapped_revenue_share_30d", "warning")]
    assert unmapped.failures[0].examples == [{"observed_value": 0.25}]


def test_the_anomaly_suite_is_warning_only_and_names_metric_direction_and_size() -> None:
    from orchestration.quality.checks import MODEL_GATES, suite_blocks

    suite = load_suite_definition("marts_daily_kpi_anomalies")
    gate = next(g for g in MODEL_GATES if g.suite == "marts_daily_kpi_anomalies")
    frame = pd.DataFrame(
        {
            "is_anomaly": [False, True],
            "metric_date": [dt.date(2025, 12, 28), dt.date(2025, 12, 29)],
            "kpi_name": ["paid_gmv", "net_sales"],
            "direction": ["up", "down"],
            "kpi_value": [1000.0, 400.0],
            "baseline_value": [990.0, 1000.0],
            "relative_deviation": [0.01, -0.6],
        }
    )

    outcome = validate_dataframe(frame, suite, example_columns=gate.example_columns)

    assert not suite_blocks(suite)
    assert outcome.passed and len(outcome.failures) == 1
    example = outcome.failures[0].examples[0]
    assert (example["kpi_name"], example["direction"], example["relative_deviation"]) == ("net_sales", "down", -0.6)


@pytest.mark.parametrize(
    ("suite_name", "good", "bad_column", "bad_value"),
    [
        (
            "marts_fct_order_reconciliation",
            {
                "reconciliation_item_id": "tmall:1",
                "item_source": "tmall",
                "reconciliation_category": "matched",
                "reconciliation_month": dt.date(2025, 1, 1),
                "amount_at_stake": 0.0,
                "tmall_amount": 10.0,
            },
            "reconciliation_category",
            "probably_fine",
        ),
        (
            "marts_fct_shipments",
            {
                "shipment_line_id": "O1-1",
                "quantity": 1,
                "sale_price": 10.0,
                "line_amount": 10.0,
                "outbound_status": "SHIPPED",
                "_shipped_has_time": True,
            },
            "_shipped_has_time",
            False,
        ),
        (
            "marts_fct_order_fulfilment",
            {"order_id": "1", "pay_to_ship_hours": 5.0, "outbound_count": 1, "_shipped_has_time": True},
            "outbound_count",
            -1,
        ),
        (
            "marts_inventory_health",
            {
                "sku_id": "A",
                "snapshot_date": dt.date(2025, 1, 1),
                "stock_status": "healthy",
                "daily_velocity": 1.0,
                "safety_stock_qty": 7,
                "suggested_reorder_qty": 0,
                "on_hand_qty": 40,
            },
            "suggested_reorder_qty",
            -3,
        ),
    ],
)
def test_mart_gates_pass_good_rows_and_block_a_bad_one(suite_name, good, bad_column, bad_value) -> None:
    suite = load_suite_definition(suite_name)
    if suite_name == "marts_fct_shipments":
        good["outbound_status"] = next(iter(suite["expectations"][-2]["kwargs"]["value_set"]))
    second = {
        k: (f"{v}-2" if k in {"reconciliation_item_id", "shipment_line_id", "order_id", "sku_id"} else v)
        for k, v in good.items()
    }
    assert validate_dataframe(pd.DataFrame([good, second]), suite).passed

    outcome = validate_dataframe(pd.DataFrame([good, {**second, bad_column: bad_value}]), suite)

    assert not outcome.passed
    assert [(f.column, f.severity) for f in outcome.failures] == [(bad_column, "error")]
