"""Blocking means impossible, and the merchant decides: the raw gate on real loads of small order reports.

Each test writes a few rows in the real export format, loads them with the real loader into an in-memory DuckDB and
runs the raw gate the Dagster check runs (`validate_raw_gate`: Great Expectations on the latest deliveries), with the
suites as `expectations/overrides.yml` (here a file of the test's own, `QUALITY_OVERRIDES`) changes them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ingest_landing
from orchestration.quality.great_expectations import OverrideError, load_overrides
from tests.ingest.test_landing_loader import ORDER_HEADER, order_row, write_csv


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def overrides(tmp_path: Path, monkeypatch) -> Path:
    """An overrides file of the test's own, empty until the test writes it."""
    path = tmp_path / "overrides.yml"
    path.write_text("{}\n", encoding="utf-8")
    monkeypatch.setenv("QUALITY_OVERRIDES", str(path))
    return path


def gate_orders(con: duckdb.DuckDBPyConnection, landing: Path, rows: list[list[str]]):
    from orchestration.quality.checks import RAW_GATES, validate_raw_gate

    write_csv(landing / "ExportOrderList202503150800.csv", ORDER_HEADER, rows)
    ingest_landing(con, landing)
    gate = next(g for g in RAW_GATES if g.dataset == "tmall_orders")
    return validate_raw_gate(con, gate).outcome


def failed(outcome) -> dict[str, tuple[str, int]]:
    return {f.rule: (f.severity, f.unexpected_count) for f in outcome.failures}


def test_an_export_with_order_ids_renumbered_1_to_n_passes_with_a_length_warning(tmp_path, con, overrides) -> None:
    outcome = gate_orders(con, tmp_path / "landing", [order_row(str(n)) for n in range(1, 6)])

    assert outcome.passed
    assert failed(outcome) == {"raw_tmall_orders.order_id.length": ("warning", 5)}


def amounts(order_id: str, goods: str, post_fee: str, total: str, paid: str) -> list[str]:
    row = order_row(order_id)
    row[2:6] = [goods, post_fee, total, paid]
    return row


def test_amounts_that_cannot_be_true_together_and_amounts_that_are_not_numbers(tmp_path, con, overrides) -> None:
    base = 5118609024991031600
    rows = [
        amounts(str(base + 1), '"1,234.50"', "0", '"1,234.50"', "￥1234.50"),  # Excel's re-saved spellings: fine
        amounts(str(base + 2), "100.00", "8.00", "108.00", "120.00"),  # paid above total: impossible
        amounts(str(base + 3), "100.00", "1e3", "108.00", "108.00"),  # 1e3 is not an amount
        amounts(str(base + 4), "100.00", "8.00", "98.00", "98.00"),  # total below goods + post fee: a variant?
    ]

    outcome = gate_orders(con, tmp_path / "landing", rows)

    assert not outcome.passed
    assert failed(outcome) == {
        "raw_tmall_orders._paid_over_total.paid_not_above_total": ("error", 1),
        "raw_tmall_orders.post_fee.money": ("error", 1),
        "raw_tmall_orders._total_minus_goods_and_post_fee.goods_plus_post_fee": ("warning", 1),
    }
    paid = next(f for f in outcome.failures if f.rule.endswith("paid_not_above_total"))
    assert paid.examples[0]["_source_row_number"] == 2


def test_a_failing_rule_names_itself_and_the_yaml_line_that_demotes_it_which_works(tmp_path, con, overrides) -> None:
    base = 5118609024991031600
    rows = [amounts(str(base + 1), "100.00", "8.00", "108.00", "120.00")]
    blocked = gate_orders(con, tmp_path / "landing", rows)
    message = next(f.describe() for f in blocked.failures if f.severity == "error")

    line = message.split("`")[-2]
    overrides.write_text(line + "\n", encoding="utf-8")
    from orchestration.quality.checks import RAW_GATES, validate_raw_gate

    demoted = validate_raw_gate(con, next(g for g in RAW_GATES if g.dataset == "tmall_orders")).outcome

    assert "expect_column_values_to_be_between on _paid_over_total: 1 of 1 rows fail" in message
    assert "_source_file=ExportOrderList202503150800.csv, _source_row_number=1" in message
    assert line == "raw_tmall_orders._paid_over_total.paid_not_above_total: {severity: warning}"
    assert demoted.passed
    assert failed(demoted) == {"raw_tmall_orders._paid_over_total.paid_not_above_total": ("warning", 1)}


def test_a_merchant_promotes_a_warning_to_blocking(tmp_path, con, overrides) -> None:
    from orchestration.quality.checks import RAW_GATES, gx_table_gate

    overrides.write_text("raw_tmall_orders.order_id.length: {severity: error}\n", encoding="utf-8")

    outcome = gate_orders(con, tmp_path / "landing", [order_row(str(n)) for n in range(1, 4)])

    assert not outcome.passed
    assert failed(outcome) == {"raw_tmall_orders.order_id.length": ("error", 3)}
    check = gx_table_gate(next(g for g in RAW_GATES if g.dataset == "erp_skus"))
    assert next(iter(check.check_specs)).blocking


def test_demoting_every_blocking_rule_of_a_suite_makes_its_check_non_blocking(overrides) -> None:
    from orchestration.quality.checks import MODEL_GATES, gx_table_gate

    gate = next(g for g in MODEL_GATES if g.suite == "metrics_daily_kpis")
    errors = ["metric_date.be_unique", "_days_since_previous.be_between", "gmv.be_between", "paid_gmv.be_between"]
    errors += ["net_sales.be_between", "refund_amount.be_between"]
    assert next(iter(gx_table_gate(gate).check_specs)).blocking
    overrides.write_text("".join(f"metrics_daily_kpis.{r}: {{severity: warning}}\n" for r in errors), encoding="utf-8")

    assert not next(iter(gx_table_gate(gate).check_specs)).blocking


def test_a_threshold_is_changed_without_editing_the_suite(overrides) -> None:
    import pandas as pd

    from orchestration.quality.great_expectations import load_suite_definition, validate_dataframe

    frame = pd.DataFrame({"_match_rate_of_busy_months": [0.95, 0.85, None]})
    before = validate_dataframe(frame, load_suite_definition("metrics_reconciliation_match_rate"))
    overrides.write_text(
        "metrics_reconciliation_match_rate._match_rate_of_busy_months.be_between: {min_value: 0.8}\n", encoding="utf-8"
    )
    after = validate_dataframe(frame, load_suite_definition("metrics_reconciliation_match_rate"))

    assert [(f.severity, f.unexpected_count) for f in before.failures] == [("warning", 1)]
    assert after.failures == []


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("raw_tmall_orders.order_id.lenght: {severity: warning}", "unknown rule 'raw_tmall_orders.order_id.lenght'"),
        ("raw_tmall_orders.order_id.length: {severity: info}", "severity 'info' is not one of ['error', 'warning']"),
        ("raw_tmall_orders.order_id.length: {column: buyer_nick}", "cannot set ['column']"),
        ("raw_tmall_orders.order_id.length: warning", "give a mapping such as {severity: warning}"),
    ],
)
def test_an_override_that_names_nothing_real_is_an_error_saying_what_is_known(overrides, text, complaint) -> None:
    overrides.write_text(text + "\n", encoding="utf-8")

    with pytest.raises(OverrideError) as error:
        load_overrides()

    assert complaint in str(error.value)
    if "unknown rule" in complaint:
        assert "raw_tmall_orders.order_id.length" in str(error.value)  # the known rules are listed


def test_the_shipped_overrides_file_is_valid() -> None:
    from orchestration.quality.great_expectations import OVERRIDES_FILE

    assert OVERRIDES_FILE.exists()
    load_overrides(OVERRIDES_FILE)


def test_docs_quality_lists_every_rule_with_its_severity() -> None:
    import re

    from orchestration.quality.great_expectations import known_rules
    from orchestration.settings import PROJECT_ROOT

    text = (PROJECT_ROOT / "docs" / "quality.md").read_text(encoding="utf-8").split("## Every rule,", 1)[1]
    parts = re.split(r"^\*\*(\w+)\*\*$", text, flags=re.MULTILINE)
    listed = {
        f"{suite}.{rule}": severity
        for suite, block in zip(parts[1::2], parts[2::2], strict=True)
        for rule, severity in re.findall(r"^\| `([^`]+)` \| (\w+) \|", block, flags=re.MULTILINE)
    }

    assert listed == {name: e["meta"].get("severity", "error") for name, e in known_rules().items()}
