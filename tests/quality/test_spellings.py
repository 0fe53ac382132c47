"""One list of accepted amount spellings: the documented list, the dbt macro `to_money` and the raw gate agree.

Every spelling of `orchestration/quality/spellings.py` goes through all three: the table in docs/landing-formats.md,
`to_money` compiled by real dbt and run by DuckDB, and the raw order report's Great Expectations suite.
"""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from orchestration.quality.great_expectations import load_suite_definition, validate_dataframe
from orchestration.quality.spellings import MONEY_EXAMPLES, NO_VALUE
from orchestration.settings import PROJECT_ROOT

SPELLINGS = list(MONEY_EXAMPLES)


def documented() -> dict[str, tuple[str, str, str]]:
    text = (PROJECT_ROOT / "docs" / "landing-formats.md").read_text(encoding="utf-8")
    section = text.split("## Accepted spellings of an amount", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", section, flags=re.MULTILINE)
    return {cell: (read.strip(), total.strip(), refund.strip()) for cell, read, total, refund in rows}


@pytest.fixture(scope="module")
def to_money_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """`select {{ to_money('value') }} from spellings`, compiled by dbt with this project's macros and vars."""
    from dbt.cli.main import dbtRunner

    root = tmp_path_factory.mktemp("spellings")
    inline = "select {{ to_money('value') }} as amount from spellings"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_PATH", str(root / "warehouse.duckdb"))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        result = dbtRunner().invoke(
            ["compile", "--inline", inline, "--quiet", "--project-dir", str(PROJECT_ROOT)]
            + ["--profiles-dir", str(PROJECT_ROOT), "--target-path", str(root / "target")]
        )
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code


def run_to_money(sql: str, spelling: str) -> Decimal | str | None:
    """What the macro makes of one cell: its amount, NO_VALUE for null, None when it refuses the cell."""
    with duckdb.connect() as con:
        try:
            value = con.execute(f"with spellings as (select ? as value) {sql}", [spelling]).fetchone()[0]
        except duckdb.InvalidInputException as error:
            assert f"not a money amount: {spelling}" in str(error)
            return None
    return NO_VALUE if value is None else value


def gate_verdicts(column: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Whether the raw order report's suite lets each spelling through in `column` (one row per spelling)."""
    import orchestration.quality.great_expectations as gx_module

    monkeypatch.setattr(gx_module, "MAX_EXAMPLES", len(SPELLINGS))  # every failing row among the examples
    good = {"order_id": "5118609024991031607", "total_amount": "128.00", "refund_amount": "无退款申请"}
    frame = pd.DataFrame(
        [{**good, column: spelling, "_source_row_number": n} for n, spelling in enumerate(SPELLINGS, start=1)]
    )
    suite = load_suite_definition("raw_tmall_orders")
    suite["expectations"] = [e for e in suite["expectations"] if e["kwargs"].get("column") == column]
    (result,) = validate_dataframe(frame, suite).results
    refused = {SPELLINGS[example["_source_row_number"] - 1] for example in result.examples}
    assert len(refused) == result.unexpected_count
    return {spelling: spelling not in refused for spelling in SPELLINGS}


def test_the_documented_list_is_the_declared_list() -> None:
    assert list(documented()) == SPELLINGS


def test_to_money_reads_each_spelling_as_documented(to_money_sql: str) -> None:
    read = {spelling: run_to_money(to_money_sql, spelling) for spelling in SPELLINGS}

    assert read == MONEY_EXAMPLES
    for spelling, (text, _, _) in documented().items():
        value = MONEY_EXAMPLES[spelling]
        expected = "refused" if value is None else "null" if value == NO_VALUE else str(value)
        assert text.startswith(expected), (spelling, text)


@pytest.mark.parametrize(("column", "doc_column"), [("total_amount", 1), ("refund_amount", 2)])
def test_the_raw_gate_lets_through_what_to_money_reads_and_blocks_the_rest(
    column: str, doc_column: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    verdicts = gate_verdicts(column, monkeypatch)

    for spelling, value in MONEY_EXAMPLES.items():
        amount = isinstance(value, Decimal) and value >= 0
        assert verdicts[spelling] == (amount or (column == "refund_amount" and value == NO_VALUE)), spelling
        assert documented()[spelling][doc_column].startswith("passes" if verdicts[spelling] else "blocks"), spelling
