"""Great Expectations (1.x) validation of warehouse tables against the suites kept in `expectations/`.

GX has no dependable DuckDB dialect (see stack notes), so a table is read from DuckDB into pandas and validated
with a pandas datasource. Each suite is a reviewable JSON file; an expectation's `meta.severity` is `error`
(blocks downstream) or `warning` (recorded, does not block).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.settings import PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SEEDS_DIR = PROJECT_ROOT / "seeds"
LOCATION_COLUMNS = ["_source_file", "_source_row_number"]
MAX_EXAMPLES = 5


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    severity: str
    unexpected_count: int
    element_count: int
    examples: list[dict[str, Any]] = field(default_factory=list)
    success: bool = False
    observed_value: Any = None
    """What an aggregate expectation (a max, a mean) saw, failing or not; None for row-by-row expectations."""
    example_positions: list[int] = field(default_factory=list)
    """Where each example's row is in the whole table, when it was validated in chunks (orders merged examples)."""

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
    results: list[ExpectationOutcome]

    @property
    def expectations_evaluated(self) -> int:
        return len(self.results)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]

    @property
    def passed(self) -> bool:
        """True when no error-severity expectation failed (warnings are recorded, they do not block)."""
        return not any(f.severity == "error" for f in self.failures)


def seed_values(reference: str, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """`seed_name.column` -> the distinct values of that column of seeds/<seed_name>.csv."""
    seed, column = reference.split(".", 1)
    with (seeds_dir / f"{seed}.csv").open(encoding="utf-8", newline="") as handle:
        return sorted({row[column] for row in csv.DictReader(handle) if row[column]})


def _resolve_seed_references(value: Any) -> Any:
    """A suite may say `{"$seed": "tmall_order_status_map.export_status"}` instead of copying a vocabulary."""
    if isinstance(value, dict):
        if set(value) == {"$seed"}:
            return seed_values(value["$seed"])
        return {k: _resolve_seed_references(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_seed_references(v) for v in value]
    return value


def load_suite_definition(name: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    definition = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    return _resolve_seed_references(definition)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value


def data_docs_index(docs_dir: Path) -> Path:
    """Where the browsable Data Docs of a docs folder start."""
    return docs_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


class SuiteDefinitionError(ValueError):
    """A suite file holds an expectation Great Expectations cannot build (it would silently drop it)."""


def _build_suite(gx, definition: dict[str, Any]):  # type: ignore[no-untyped-def]
    suite = gx.ExpectationSuite(**definition)
    if len(suite.expectations) != len(definition["expectations"]):
        built = {e.expectation_type for e in suite.expectations}
        missing = [e["type"] for e in definition["expectations"] if e["type"] not in built]
        raise SuiteDefinitionError(
            f"expectations/{definition['name']}.json: Great Expectations could not build {missing or 'some'}"
            " expectation(s); fix the suite rather than validate without them"
        )
    return suite


def _import_great_expectations():  # type: ignore[no-untyped-def]
    """`import great_expectations`, also in a process whose `__main__` is a multiprocessing spawn stub.

    Dagster's code server runs each run launched by the daemon or the UI (`make serve`, `make dev`) in such a
    process. When pyspark is installed (the `spark` group), GX imports `pyspark.sql.connect`, which takes a main
    module without `__file__` for a doctest run and calls `sys.exit(0)`: every gate would fail. The main module gets
    a placeholder `__file__` for the duration of the import only (pyspark checks once, when it is first imported).
    """
    main = sys.modules.get("__main__")
    stub = main is not None and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    if stub:
        main.__file__ = "<spawned process>"  # type: ignore[union-attr]
    try:
        import great_expectations as gx
    finally:
        if stub:
            del main.__file__  # type: ignore[union-attr]
    return gx


def _run_validation(frame: pd.DataFrame, definition: dict[str, Any], docs_dir: Path | None, result_format: dict):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    gx = _import_great_expectations()  # slow import, only when validating

    name = definition["name"]
    if docs_dir is None:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = {"globally": False}
        source = context.data_sources.add_pandas("warehouse")
        batch = (
            source.add_dataframe_asset(name)
            .add_batch_definition_whole_dataframe("whole_table")
            .get_batch(batch_parameters={"dataframe": frame})
        )
        return batch.validate(_build_suite(gx, definition), result_format=result_format)

    # A file-backed context keeps every validation result, so the Data Docs index lists all suites and runs.
    from great_expectations.checkpoint import UpdateDataDocsAction

    docs_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(docs_dir))
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_or_update_pandas("warehouse")
    asset = next((a for a in source.assets if a.name == name), None) or source.add_dataframe_asset(name)
    batch_definition = next((b for b in asset.batch_definitions if b.name == "whole_table"), None)
    batch_definition = batch_definition or asset.add_batch_definition_whole_dataframe("whole_table")
    suite = context.suites.add_or_update(_build_suite(gx, definition))
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=[validation],
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format=result_format,
        )
    )
    result = checkpoint.run(batch_parameters={"dataframe": frame})
    return next(iter(result.run_results.values()))


def validate_dataframe(
    frame: pd.DataFrame,
    definition: dict[str, Any],
    docs_dir: Path | None = None,
    example_columns: tuple[str, ...] = (),
    position_column: str | None = None,
) -> SuiteOutcome:
    """Validate `frame` against a suite definition; with `docs_dir`, also keep the result and update Data Docs.

    A failing row's example shows where it came from (`_source_file`, `_source_row_number`) and `example_columns`
    (e.g. the metric, direction and size of a flagged anomaly); without either, the row's position in the frame.

    `position_column`, when `frame` is one chunk of a table, holds each row's position in the whole table: the frame
    is indexed by it (so an example shows the position the whole table would), it is left out of the examples, and
    each outcome's `example_positions` say where its examples are, for merging chunks in table order."""
    index_columns = [c for c in dict.fromkeys([*LOCATION_COLUMNS, *example_columns]) if c in frame.columns]
    if position_column:
        frame = frame.copy(deep=False)  # shares the data: a chunk is in memory once
        frame.index = pd.Index(frame[position_column].to_numpy())
    # without index columns GX names a failing row by the frame's index, which is then the position itself
    tracked = [position_column] if position_column and index_columns else []
    result = _run_validation(
        frame,
        definition,
        docs_dir,
        {"result_format": "COMPLETE", "unexpected_index_column_names": [*index_columns, *tracked]},
    )
    outcomes: list[ExpectationOutcome] = []
    for expectation_result in result.results:
        config = expectation_result.expectation_config
        details = expectation_result.result or {}
        rows = (details.get("unexpected_index_list") or details.get("partial_unexpected_list") or [])[:MAX_EXAMPLES]
        examples = [
            {k: _plain(v) for k, v in row.items() if k not in tracked}
            if isinstance(row, dict)
            else {"value": _plain(row)}
            for row in rows
        ]
        positions: list[int] = []
        if position_column and details.get("unexpected_index_list"):
            positions = [int(row[position_column]) if tracked else int(row) for row in rows]
        if not examples and details.get("observed_value") is not None:
            # an aggregate expectation (a max, a mean, a share) has no failing rows: show the value it saw
            examples = [{"observed_value": _plain(details["observed_value"])}]
        if expectation_result.exception_info and expectation_result.exception_info.get("raised_exception"):
            examples = [{"error": expectation_result.exception_info.get("exception_message")}]
            positions = []
        kwargs = config.kwargs
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=kwargs.get("column")
                or ",".join(
                    kwargs.get("column_list", []) or [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]
                )
                or None,
                severity=(config.meta or {}).get("severity", "error"),
                unexpected_count=int(details.get("unexpected_count") or 0),
                element_count=int(details.get("element_count") or len(frame)),
                examples=[] if expectation_result.success else examples,
                success=bool(expectation_result.success),
                observed_value=_plain(details.get("observed_value")),
                example_positions=[] if expectation_result.success else positions,
            )
        )
    return SuiteOutcome(suite=definition["name"], row_count=len(frame), results=outcomes)
