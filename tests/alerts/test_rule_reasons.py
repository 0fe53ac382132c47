"""A blocking gate's alert explains the rule that failed, not a neighbour of the same type on the same column."""

from __future__ import annotations

from orchestration.alerts.events import CheckFailure, _suite_reasons, describe_rule
from orchestration.quality.great_expectations import known_rules


def _failure(rule: str) -> tuple[CheckFailure, dict]:
    check = CheckFailure(check_name="gx_raw_tmall_orders", asset_key="raw/tmall_orders", description=None)
    detail = {
        "rule": rule,
        "expectation": "expect_column_values_to_match_regex",
        "column": "order_id",
        "severity": "error",
        "unexpected_count": 3,
        "element_count": 300,
        "example": {"_source_file": "orders.csv", "_source_row_number": 7, "order_id": "12"},
    }
    return check, detail


def test_two_regex_rules_on_one_column_each_explain_themselves() -> None:
    rules = known_rules()
    digits, length = "raw_tmall_orders.order_id.digits", "raw_tmall_orders.order_id.length"
    reasons = _suite_reasons("gx_raw_tmall_orders")
    for name in (digits, length):
        check, detail = _failure(name)
        text = describe_rule(check, detail, reasons)
        assert rules[name]["meta"]["why"] in text, name
    # the two rules say different things, so the lookup above could not pass by accident
    assert rules[digits]["meta"]["why"] != rules[length]["meta"]["why"]


def test_checks_that_are_not_suites_have_no_reasons() -> None:
    assert _suite_reasons("not_null_fct_orders_order_id") == {}
    assert _suite_reasons("gx_no_such_suite") == {}
