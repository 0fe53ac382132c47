"""Great Expectations (1.x) validation of warehouse tables against the suites kept in `expectations/`.

GX has no dependable DuckDB dialect (see stack notes), so a table is read from DuckDB into pandas and validated
with a pandas datasource. Each suite is a reviewable JSON file; an expectation's `meta.severity` is `error`
(blocks downstream) or `warning` (recorded, does not block).

Every expectation is a named rule, `<suite>.<column>.<check>` (the check is `meta.rule` when the suite gives one, else
the expectation's type without its `expect_column_values_to_` prefix). A deployment changes a rule's severity or its
thresholds in one reviewed file, `expectations/overrides.yml` (`QUALITY_OVERRIDES` points elsewhere): one line per
rule, e.g. `raw_tmall_orders.order_id.length: {severity: error}`. An unknown rule, key or severity there is an error
naming it and what is known; the suites themselves are not edited.
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
import yaml

from orchestration.settings import PROJECT_ROOT

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SEEDS_DIR = PROJECT_ROOT / "seeds"
LOCATION_COLUMNS = ["_source_file", "_source_row_number"]
MAX_EXAMPLES = 5
SEVERITIES = ("error", "warning")
OVERRIDES_FILE = EXPECTATIONS_DIR / "overrides.yml"
COLUMN_KWARGS = frozenset({"column", "column_list", "column_A", "column_B"})
"""Keyword arguments that say which column a rule reads: an override may not change them."""


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
    rule: str | None = None
    """The rule's name (`<suite>.<column>.<check>`), what `expectations/overrides.yml` names; None outside suites."""

    def describe(self) -> str:
        """One line: severity, expectation, column, rows failing, example rows, and for a suite's rule its name and
        the line of `expectations/overrides.yml` that would change its severity."""
        where = f" on {self.column}" if self.column else ""
        shown = "; ".join(", ".join(f"{k}={v}" for k, v in example.items()) for example in self.examples[:MAX_EXAMPLES])
        text = (
            f"[{self.severity}] {self.expectation}{where}: {self.unexpected_count} of {self.element_count} rows "
            f"fail (e.g. {shown})"
        )
        if self.rule and self.severity == "error":
            text += (
                f"; rule {self.rule}: if such rows are correct, demote it in expectations/overrides.yml with "
                f"`{self.rule}: {{severity: warning}}`"
            )
        elif self.rule:
            text += f"; rule {self.rule}"
        return text


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
    """A suite may say `{"$seed": "tmall_order_status_map.export_status"}` instead of copying a vocabulary, and
    `{"$spelling": "unsigned_money"}` instead of copying the accepted spellings (orchestration/quality/spellings.py)."""
    if isinstance(value, dict):
        if set(value) == {"$seed"}:
            return seed_values(value["$seed"])
        if set(value) == {"$spelling"}:
            from orchestration.quality.spellings import spelling

            return spelling(value["$spelling"])
        return {k: _resolve_seed_references(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_seed_references(v) for v in value]
    return value


class OverrideError(ValueError):
    """`expectations/overrides.yml` names a rule, key or severity that does not exist."""


def rule_check(expectation: dict[str, Any]) -> str:
    """The last part of a rule's name: `meta.rule`, else the expectation type without its prefix."""
    explicit = (expectation.get("meta") or {}).get("rule")
    if explicit:
        return str(explicit)
    kind = expectation["type"]
    for prefix in ("expect_column_values_to_", "expect_compound_columns_to_", "expect_column_"):
        if kind.startswith(prefix):
            return kind[len(prefix) :]
    return kind.removeprefix("expect_")


def rule_name(suite: str, expectation: dict[str, Any]) -> str:
    kwargs = expectation["kwargs"]
    columns = kwargs.get("column_list") or [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]
    column = kwargs.get("column") or "+".join(columns)
    return f"{suite}.{column}.{rule_check(expectation)}" if column else f"{suite}.{rule_check(expectation)}"


def _read_suite(name: str, directory: Path) -> dict[str, Any]:
    """A suite as written, its seed vocabularies resolved and every expectation's `meta.rule` set to its full name."""
    definition = _resolve_seed_references(json.loads((directory / f"{name}.json").read_text(encoding="utf-8")))
    seen: set[str] = set()
    for expectation in definition["expectations"]:
        rule = rule_name(definition["name"], expectation)
        if rule in seen:
            raise SuiteDefinitionError(
                f"expectations/{name}.json: two expectations are rule {rule}; name one with meta.rule"
            )
        seen.add(rule)
        expectation["meta"] = {**(expectation.get("meta") or {}), "rule": rule}
    return definition


def overrides_path() -> Path:
    text = os.environ.get("QUALITY_OVERRIDES")
    if not text:
        return OVERRIDES_FILE
    path = Path(text)
    return path if path.is_absolute() else PROJECT_ROOT / path


def known_rules(directory: Path = EXPECTATIONS_DIR) -> dict[str, dict[str, Any]]:
    """Every rule of every suite in `directory`: name -> its expectation (as written, seeds resolved)."""
    rules: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        for expectation in _read_suite(path.stem, directory)["expectations"]:
            rules[expectation["meta"]["rule"]] = expectation
    return rules


def load_overrides(path: Path | None = None, directory: Path = EXPECTATIONS_DIR) -> dict[str, dict[str, Any]]:
    """The validated overrides: rule name -> {severity and/or threshold kwargs}. A missing file is no overrides."""
    path = path or overrides_path()
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise OverrideError(
            f"{path}: expected one `<rule>: {{severity: warning}}` line per rule, got {type(document).__name__}"
        )
    if not document:
        return {}
    rules = known_rules(directory)
    overrides: dict[str, dict[str, Any]] = {}
    for rule, change in document.items():
        if rule not in rules:
            raise OverrideError(f"{path}: unknown rule {rule!r}; the known rules are: {', '.join(sorted(rules))}")
        if not isinstance(change, dict) or not change:
            raise OverrideError(f"{path}: {rule}: give a mapping such as {{severity: warning}}")
        settable = {"severity", *(k for k in rules[rule]["kwargs"] if k not in COLUMN_KWARGS)}
        unknown = sorted(set(change) - settable)
        if unknown:
            raise OverrideError(f"{path}: {rule}: cannot set {unknown}; this rule takes {sorted(settable)}")
        if "severity" in change and change["severity"] not in SEVERITIES:
            raise OverrideError(f"{path}: {rule}: severity {change['severity']!r} is not one of {list(SEVERITIES)}")
        overrides[rule] = dict(change)
    return overrides


def apply_overrides(definition: dict[str, Any], overrides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The suite with each overridden rule's severity and thresholds replaced (`meta.overridden` records what)."""
    for expectation in definition["expectations"]:
        change = overrides.get(expectation["meta"]["rule"])
        if not change:
            continue
        if "severity" in change:
            expectation["meta"]["severity"] = change["severity"]
        expectation["kwargs"].update({k: v for k, v in change.items() if k != "severity"})
        expectation["meta"]["overridden"] = dict(change)
    return definition


def load_suite_definition(name: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """A suite as the gates apply it: seed vocabularies resolved, rules named, `expectations/overrides.yml` applied."""
    return apply_overrides(_read_suite(name, directory), load_overrides(directory=directory))


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
                rule=(config.meta or {}).get("rule"),
                unexpected_count=int(details.get("unexpected_count") or 0),
                element_count=int(details.get("element_count") or len(frame)),
                examples=[] if expectation_result.success else examples,
                success=bool(expectation_result.success),
                observed_value=_plain(details.get("observed_value")),
                example_positions=[] if expectation_result.success else positions,
            )
        )
    return SuiteOutcome(suite=definition["name"], row_count=len(frame), results=outcomes)
