"""The Great Expectations suite on raw orders (expectations/raw_tmall_orders.json): what passes, what it catches."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration.quality.great_expectations import load_suite_definition, validate_dataframe


def good_rows() -> list[dict[str, object]]:
    base = {
        "order_id": "5118609024991031607",
        "created_at": "2025-03-14 10:23:45",
        "paid_at": "2025-03-14 10:25:01",
        "order_status": "买家已付款，等待卖家发货",
        "goods_amount": "120.00",
        "post_fee": "8",
        "total_amount": "128.00",
        "paid_amount": "128",
        "refund_amount": "无退款申请",
        "_paid_over_total": 0,
        "_total_minus_goods_and_post_fee": 0,
        "_created_days_before_load": 1,
        "_total_yuan": 128,
        "_batch_id": "b1",
        "_key_rows_in_batch": 1,
        "_key_contents_in_batch": 1,
        "_source_file": "ExportOrderList.csv",
        "_source_row_number": 1,
    }
    excel_resaved = {
        **base,
        "order_id": "5118609024991031608",
        "created_at": "2025/3/14 9:05",
        "paid_at": None,
        "order_status": "交易被淘宝关闭",
        "paid_amount": "0",
        "refund_amount": "12.5",
        "total_amount": "1,280.00",  # Excel's thousands separator: an accepted spelling
        "goods_amount": "¥1,272.00",
        "_paid_over_total": -1280,
        "_source_row_number": 2,
    }
    return [base, excel_resaved]


def validate(rows: list[dict[str, object]]):
    return validate_dataframe(pd.DataFrame(rows), load_suite_definition("raw_tmall_orders"))


def test_real_export_shapes_pass() -> None:
    outcome = validate(good_rows())
    assert outcome.passed, [f.describe() for f in outcome.failures]


@pytest.mark.parametrize(
    ("column", "bad_value", "expectation"),
    [
        ("order_id", "5.11861E+18", "expect_column_values_to_match_regex"),
        ("order_id", None, "expect_column_values_to_not_be_null"),
        ("created_at", "14/03/2025", "expect_column_values_to_match_regex"),
        ("order_status", "卖家已发货,等待买家确认", "expect_column_values_to_be_in_set"),  # half-width comma
        ("total_amount", "-128.00", "expect_column_values_to_match_regex"),
        ("paid_amount", "12.345", "expect_column_values_to_match_regex"),
        ("refund_amount", "退款中", "expect_column_values_to_match_regex"),
    ],
)
def test_each_kind_of_bad_value_fails_its_expectation_naming_the_row(column, bad_value, expectation) -> None:
    rows = good_rows()
    rows[1][column] = bad_value

    outcome = validate(rows)

    assert not outcome.passed
    failure = next(f for f in outcome.failures if f.column == column)
    assert failure.expectation == expectation
    assert failure.unexpected_count == 1
    assert failure.examples[0]["_source_row_number"] == 2


def test_an_order_twice_in_one_export_with_the_same_content_warns_and_with_other_content_blocks() -> None:
    rows = good_rows()
    rows[1]["_key_rows_in_batch"] = 2

    repeated = validate(rows)
    rows[1]["_key_contents_in_batch"] = 2
    conflicting = validate(rows)

    assert repeated.passed
    assert [(f.rule, f.severity) for f in repeated.failures] == [
        ("raw_tmall_orders._key_rows_in_batch.repeated_row", "warning")
    ]
    assert not conflicting.passed
    assert [(f.rule, f.severity) for f in conflicting.failures if f.severity == "error"] == [
        ("raw_tmall_orders._key_contents_in_batch.conflicting_rows", "error")
    ]


def test_validations_are_kept_in_browsable_data_docs(tmp_path) -> None:
    from orchestration.quality.great_expectations import data_docs_index

    rows = good_rows()
    rows[1]["total_amount"] = "-1"
    validate_dataframe(pd.DataFrame(rows), load_suite_definition("raw_tmall_orders"), docs_dir=tmp_path)
    skus = pd.DataFrame(
        {
            "sku_id": ["A-1"],
            "_key_rows_in_batch": [1],
            "_key_contents_in_batch": [1],
            "cost_price": ["9.90"],
            "sale_price": ["19.90"],
            "enabled": ["是"],
            "modified_at": ["2025-01-02 03:04:05"],
        }
    )
    outcome = validate_dataframe(skus, load_suite_definition("raw_erp_skus"), docs_dir=tmp_path)

    assert outcome.passed
    index = data_docs_index(tmp_path)
    html = index.read_text(encoding="utf-8")
    assert "raw_tmall_orders" in html and "raw_erp_skus" in html
    assert len(list(index.parent.glob("validations/**/*.html"))) == 2
