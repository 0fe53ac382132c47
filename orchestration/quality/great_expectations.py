"""Great Expectations (1.x) validation of warehouse tables against the suites kept in `expectations/`.

GX has no dependable DuckDB dialect (see stack notes), so a table is read from DuckDB into pandas and validated
with a pandas datasource. Each suite is a reviewable JSON file; an expectation's `meta.severity` is `error`
(blocks downstream) or `warning` (recorded, does not block).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.settings import PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
LOCATION_COLUMNS = ["_source_file", "_source_row_number"]
MAX_EXAMPLES = 5


@dataclass
class ExpectationFailure:
    expectation: str
    column: str | None
    severity: str
    unexpected_count: int
    element_count: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        shown = "; ".join(", ".join(f"{k}={v}" for k, v in example.items()) for example in self.examples[:MAX_EXAMPLES])
        return (
            f"[{self.severity}] {self.expectation}{where}: {self.unexpected_count} of {self.element_count} rows "
            f"fail (e.g. {shown})"
        )


@dataclass
class SuiteOutcome:
    suite: str
    row_count: int
    expectations_evaluated: int
    failures: list[ExpectationFailure]

    @property
    def passed(self) -> bool:
        """True when no error-severity expectation failed."""
        return not any(f.severity == "error" for f in self.failures)


def load_suite_definition(name: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    return json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value


def validate_dataframe(frame: pd.DataFrame, definition: dict[str, Any]) -> SuiteOutcome:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # slow import, only when validating

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("warehouse")
    asset = source.add_dataframe_asset(definition["name"])
    batch = asset.add_batch_definition_whole_dataframe("whole_table").get_batch(batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(**definition)
    index_columns = [c for c in LOCATION_COLUMNS if c in frame.columns]
    result = batch.validate(
        suite,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_columns},
    )
    failures: list[ExpectationFailure] = []
    for expectation_result in result.results:
        if expectation_result.success:
            continue
        config = expectation_result.expectation_config
        details = expectation_result.result or {}
        examples = [
            {k: _plain(v) for k, v in row.items()} if isinstance(row, dict) else {"value": _plain(row)}
            for row in (details.get("unexpected_index_list") or details.get("partial_unexpected_list") or [])
        ][:MAX_EXAMPLES]
        if expectation_result.exception_info and expectation_result.exception_info.get("raised_exception"):
            examples = [{"error": expectation_result.exception_info.get("exception_message")}]
        kwargs = config.kwargs
        failures.append(
            ExpectationFailure(
                expectation=config.type,
                column=kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or None,
                severity=(config.meta or {}).get("severity", "error"),
                unexpected_count=int(details.get("unexpected_count") or 0),
                element_count=int(details.get("element_count") or len(frame)),
                examples=examples,
            )
        )
    return SuiteOutcome(
        suite=definition["name"],
        row_count=len(frame),
        expectations_evaluated=len(result.results),
        failures=failures,
    )
