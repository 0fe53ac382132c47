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
            "gmv": [1.0] * 3,
            "paid_gmv": [1.0] * 3,
            "net_sales": [1.0] * 3,
            "refund_amount": [0.0] * 3,
        }
    )

    outcome = validate_dataframe(frame, load_suite_definition("metrics_daily_kpis"))

    assert [f.column for f in outcome.failures] == ["_days_since_previous"]
