"""Quality gates: each raw dataset's Great Expectations suite as a blocking Dagster asset check, suites on the key marts
and metric tables, the metric tables' contract, and dbt source freshness.

What a gate validates is what staging will use: for every entity (an order, an ERP order, a SKU, ...) the rows of its
latest delivery. A bad export therefore blocks the pipeline until it is fixed, and a corrected re-export of the same
orders (loaded later) supersedes it, exactly as it supersedes it in staging. Two helper columns are added for the
suites: `_key_rows_in_batch` (how often the row's key occurs in its own export: a key twice in one export is an
error) and, for datasets that reference another, whether the referenced record exists.

A raw gate validates only what arrived since it last passed: the latest rows of each entity that a batch not yet
validated touches. Once a suite passes, its batches are recorded in `quality.validated_batches` with the digest of the
suite (and of the seed vocabularies it uses), so a daily run reads one day of raw rows, not all history; a batch that
failed is not recorded, so it is validated (and blocks) again on every run until a corrected delivery supersedes it;
a changed suite validates everything again. The rows go to Great Expectations in chunks of whole batches, at most
QUALITY_GATE_CHUNK_ROWS rows each (default 2,000,000) unless a single batch is larger, so memory stays bounded
however much history the raw table holds. Every raw suite is row by row (no expectation reads a whole column at
once), which is what makes validating only the new rows give the same verdict as validating the whole table.

Every expectation's result is appended to `quality.check_results`, the history behind the report's 数据质量 page.
Error-severity failures block everything downstream; warning-severity failures are recorded and do not block.

`build_quality_checks` builds the checks when the definitions are built: that reads the suites (whether each blocks)
and the dbt manifest (the sources with freshness limits); importing this module reads neither.
"""

import datetime as dt
import hashlib
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.ingest.api.assets import API_ASSETS
from orchestration.ingest.assets import raw_asset_key, raw_landing_files
from orchestration.ingest.datasets import RawFacts
from orchestration.ingest.declarations import RAW_DATASETS, RAW_DATASETS_BY_NAME
from orchestration.quality.contracts import CONTRACT_CHECK_NAME, check_contract, load_contract
from orchestration.quality.great_expectations import (
    MAX_EXAMPLES,
    ExpectationOutcome,
    SuiteOutcome,
    data_docs_index,
    load_suite_definition,
    validate_dataframe,
)
from orchestration.quality.source_freshness import source_freshness_results
from orchestration.resources import WarehouseResource
from orchestration.settings import Settings
from orchestration.transform.project import dbt_project

QUALITY_SCHEMA = "quality"


LINEAGE_COLUMNS = "_source_file, _source_row_number, _loaded_at, _batch_id"
"""Where a raw row came from: two rows with the same key that differ only here repeat the same content."""


@dataclass(frozen=True)
class RawGate:
    dataset: str
    entity: tuple[str, ...]
    """The columns naming one entity: its rows of the latest delivery are validated together."""
    batch_key: tuple[str, ...]
    """The columns that must be unique within one export."""
    references: str = ""
    """Extra select-list SQL (with alias `r` for the raw row) for referential and derived helper columns;
    `money(r.column)` there is the cell as an amount when it is an accepted money spelling, else null."""

    @property
    def suite(self) -> str:
        return f"raw_{self.dataset}"

    def query(self, columns: list[str] | None = None, batches: bool = False) -> str:
        """The rows to validate; `columns` limits the select list to what the suite reads (plus row locations).

        Without `batches`, the latest delivery of every entity in the table. With it, the query takes a parameter
        `$batches` (a list of `_batch_id`s) and returns the rows among those that are the latest delivery of their
        entity: it reads only the entities those batches touch, so its cost follows the batches, not the table."""
        entity = ", ".join(f'"{c}"' for c in self.entity)
        batch_key = ", ".join(f'"{c}"' for c in (*self.batch_key, "_batch_id"))
        references = f", {money_sql(self.references)}" if self.references else ""
        if columns:
            wanted = dict.fromkeys([*columns, "_source_file", "_source_row_number"])
            select_list = ", ".join(f'"{c}"' for c in wanted)
        else:
            select_list = "* exclude (_delivery_rank)"
        if batches:
            # every row of a batch belongs to an entity the batch touches, so counts within a batch stay whole
            touched = " and ".join(f'r."{c}" is not distinct from t."{c}"' for c in self.entity)
            rows = (
                f"raw.{self.dataset} as r semi join "
                f"(select distinct {entity} from raw.{self.dataset} where _batch_id in (select unnest($batches))) "
                f"as t on {touched}"
            )
            latest = "_delivery_rank = 1 and _batch_id in (select unnest($batches))"
        else:
            rows, latest = f"raw.{self.dataset} as r", "_delivery_rank = 1"
        return f"""
            with deliveries as (
                select r.*,
                       count(*) over (partition by {batch_key}) as _key_rows_in_batch,
                       count(distinct hash(*columns(* exclude ({LINEAGE_COLUMNS}))))
                           over (partition by {batch_key}) as _key_contents_in_batch,
                       dense_rank() over (partition by {entity} order by _loaded_at desc, _batch_id desc)
                           as _delivery_rank
                       {references}
                from {rows}
            )
            select {select_list} from deliveries where {latest}
            order by _source_file, _source_row_number"""

    @property
    def asset_key(self) -> dg.AssetKey:
        return raw_asset_key(self.dataset)

    @property
    def description(self) -> str:
        return (
            f"Great Expectations suite expectations/{self.suite}.json on the latest delivery of each record in "
            f"raw.{self.dataset}; error severity blocks everything downstream."
        )


@dataclass(frozen=True)
class ModelGate:
    """A suite on a table built downstream (a mart or a metric table), attached to the asset that builds it."""

    suite: str
    asset_path: tuple[str, ...]
    table: str
    derived: str = ""
    """Extra select-list SQL computed for the suite (e.g. the gap to the previous day)."""
    where: str = ""
    """Which rows to validate (SQL condition over the table and `derived` columns); all rows when empty."""
    example_columns: tuple[str, ...] = ()
    """Columns shown in a failing row's example (e.g. the metric and size of an anomaly)."""

    @property
    def asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(list(self.asset_path))

    @property
    def description(self) -> str:
        rows = f" (rows where {self.where})" if self.where else ""
        return (
            f"Great Expectations suite expectations/{self.suite}.json on {self.table}{rows}; error severity blocks "
            "everything downstream (the report is not rebuilt), warning severity is recorded and does not block."
        )

    def query(self, columns: list[str] | None = None) -> str:
        derived = f", {self.derived}" if self.derived else ""
        wanted = [*columns, *self.example_columns] if columns else []
        select_list = ", ".join(f'"{c}"' for c in dict.fromkeys(wanted)) if wanted else "*"
        where = f" where {self.where}" if self.where else ""
        return f"select {select_list} from (select *{derived} from {self.table}){where}"


def money_sql(sql: str) -> str:
    """`sql` with every `money(<column>)` replaced by DuckDB SQL giving the cell as decimal(18, 2) when it is an
    accepted spelling of a non-negative amount (what `to_money` parses), else null: a cell of another spelling (or a
    negative amount where there is none) fails its own rule, not also every rule computed from it."""
    from orchestration.quality.spellings import money_pattern

    def parsed(match: re.Match[str]) -> str:
        text = f"trim({match.group(1)})"
        amount = f"replace(replace(replace({text}, ',', ''), '¥', ''), '￥', '')"
        pattern = money_pattern(signed=False)
        return f"(case when regexp_full_match({text}, '{pattern}') then cast({amount} as decimal(18, 2)) end)"

    return re.sub(r"money\(([a-z_.]+)\)", parsed, sql)


CHINA_TIMESTAMP = "try_strptime(replace(trim({0}), '/', '-'), ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M'])"

GATE_COLUMNS: dict[str, str] = {
    # the amounts that cannot be true together, and how far the order's date is from its file's load
    "tmall_orders": (
        "money(r.paid_amount) - money(r.total_amount) as _paid_over_total, "
        "money(r.total_amount) - money(r.goods_amount) "
        "- coalesce(money(r.post_fee), case when r.post_fee is null then 0 end) "
        "as _total_minus_goods_and_post_fee, "
        f"date_diff('day', {CHINA_TIMESTAMP.format('r.created_at')}, r._loaded_at) as _created_days_before_load, "
        "money(r.total_amount) as _total_yuan"
    ),
    "erp_sales_orders": (
        f"date_diff('day', {CHINA_TIMESTAMP.format('r.ordered_at')}, r._loaded_at) as _ordered_days_before_load"
    ),
    "tmall_sub_orders": (
        f"date_diff('day', {CHINA_TIMESTAMP.format('r.created_at')}, r._loaded_at) as _created_days_before_load"
    ),
}
"""Computed columns a raw gate's suite reads beyond the dataset's own and its references' (select-list SQL)."""


def raw_gate(dataset: RawFacts) -> RawGate:
    """A raw dataset's gate, from its declaration: entity, batch key, a helper column per reference, and the
    gate's own computed columns (GATE_COLUMNS)."""
    helpers = [reference.sql() for reference in dataset.references]
    if dataset.name in GATE_COLUMNS:
        helpers.append(GATE_COLUMNS[dataset.name])
    return RawGate(dataset.name, entity=dataset.entity, batch_key=dataset.batch_key, references=", ".join(helpers))


RAW_GATES: tuple[RawGate, ...] = tuple(raw_gate(dataset) for dataset in RAW_DATASETS)


def suite_columns(definition: dict) -> list[str]:
    """The columns a suite's expectations read."""
    columns: list[str] = []
    for expectation in definition["expectations"]:
        kwargs = expectation["kwargs"]
        columns.extend(
            [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs] + kwargs.get("column_list", [])
        )
    return columns


def ensure_quality_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {QUALITY_SCHEMA}")
    con.execute(
        f"""create table if not exists {QUALITY_SCHEMA}.check_results (
            run_id varchar not null, checked_at timestamp not null, check_name varchar not null,
            asset_key varchar not null, suite varchar not null, expectation varchar not null, column_name varchar,
            severity varchar not null, success boolean not null, element_count bigint, unexpected_count bigint,
            examples varchar)"""
    )
    con.execute(
        f"""create table if not exists {QUALITY_SCHEMA}.validated_batches (
            suite varchar not null, suite_digest varchar not null, batch_id varchar not null,
            rows_validated bigint not null, validated_at timestamp not null, run_id varchar not null)"""
    )


def suite_digest(definition: dict) -> str:
    """Changes whenever the suite or a seed vocabulary it reads changes (the definition has them resolved)."""
    return hashlib.sha256(json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def chunk_rows_limit() -> int:
    text = os.environ.get("QUALITY_GATE_CHUNK_ROWS") or "2000000"
    try:
        limit = int(text)
    except ValueError as exc:
        raise ValueError(f"QUALITY_GATE_CHUNK_ROWS={text!r} is not a whole number") from exc
    if limit < 1:
        raise ValueError(f"QUALITY_GATE_CHUNK_ROWS={limit} must be at least 1")
    return limit


def batch_chunks(batch_rows: list[tuple[str, int]], limit: int) -> list[list[str]]:
    """Whole batches, in load order, grouped so that a group holds at most `limit` rows (or one larger batch)."""
    chunks: list[list[str]] = []
    size = 0
    for batch_id, rows in batch_rows:
        if not chunks or size + rows > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(batch_id)
        size += rows
    return chunks


def unvalidated_batches(con: duckdb.DuckDBPyConnection, gate: RawGate, digest: str) -> list[tuple[str, int]]:
    """The raw table's batches this version of the suite has not passed, with their row counts, in load order."""
    validated = "select batch_id from quality.validated_batches where suite = $suite and suite_digest = $digest"
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = $schema and table_name = $table",
        {"schema": QUALITY_SCHEMA, "table": "validated_batches"},
    ).fetchone()[0]  # type: ignore[index]
    unvalidated = f"where _batch_id not in ({validated})" if exists else ""
    params = {"suite": gate.suite, "digest": digest} if exists else {}
    return [
        (batch_id, int(rows))
        for batch_id, rows in con.execute(
            f"select _batch_id, count(*) from raw.{gate.dataset} {unvalidated} "
            "group by _batch_id order by min(_loaded_at), _batch_id",
            params,
        ).fetchall()
    ]


AGGREGATE_EXPECTATIONS = {"expect_column_max_to_be_between": max, "expect_column_min_to_be_between": min}
"""Expectations on one value of a whole column: the chunks' observed values combine, and the bounds are re-checked."""


def within_bounds(value: object, kwargs: dict) -> bool:
    """Great Expectations' test of an observed value against `min_value`/`max_value` (`strict_min`/`strict_max`)."""
    if value is None:
        return False
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    above = low is None or (value > low if kwargs.get("strict_min") else value >= low)  # type: ignore[operator]
    below = high is None or (value < high if kwargs.get("strict_max") else value <= high)  # type: ignore[operator]
    return above and below


def merge_expectation(expectation: dict, parts: list[ExpectationOutcome]) -> ExpectationOutcome:
    """One expectation's outcome over chunks. Row by row: counts add up. A uniqueness: the same, provided every value
    is in one chunk only (see `validate_model_gate`). A max or min: the chunks' extreme, against the suite's bounds.
    Examples are the first failing rows of the table when the chunks know their rows' positions."""
    first = parts[0]
    examples = [example for p in parts for example in p.examples]
    positions = [position for p in parts for position in p.example_positions]
    if len(positions) == len(examples):
        examples = [example for _, example in sorted(zip(positions, examples, strict=True), key=lambda pair: pair[0])]
        positions = sorted(positions)
    else:
        positions = []
    merged = ExpectationOutcome(
        expectation=first.expectation,
        column=first.column,
        severity=first.severity,
        rule=first.rule,
        unexpected_count=sum(p.unexpected_count for p in parts),
        element_count=sum(p.element_count for p in parts),
        examples=examples[:MAX_EXAMPLES],
        success=all(p.success for p in parts),
        example_positions=positions[:MAX_EXAMPLES],
    )
    aggregate = AGGREGATE_EXPECTATIONS.get(first.expectation)
    raised = any("error" in example for p in parts for example in p.examples)
    if aggregate is not None and not raised:
        if expectation["type"] != first.expectation:
            raise ValueError(f"outcome of {first.expectation} does not line up with expectation {expectation['type']}")
        observed = [p.observed_value for p in parts if p.observed_value is not None]
        merged.observed_value = aggregate(observed) if observed else None
        merged.success = within_bounds(merged.observed_value, expectation["kwargs"])
        merged.examples = [] if merged.success else [{"observed_value": merged.observed_value}]
        merged.example_positions = []
    return merged


def merge_outcomes(definition: dict, parts: list[SuiteOutcome]) -> SuiteOutcome:
    """One outcome for a suite validated chunk by chunk (see `merge_expectation`)."""
    if not parts:
        return SuiteOutcome(
            suite=definition["name"],
            row_count=0,
            results=[
                ExpectationOutcome(
                    expectation=e["type"],
                    column=e["kwargs"].get("column") or ",".join(e["kwargs"].get("column_list", [])) or None,
                    severity=(e.get("meta") or {}).get("severity", "error"),
                    rule=(e.get("meta") or {}).get("rule"),
                    unexpected_count=0,
                    element_count=0,
                    success=True,
                )
                for e in definition["expectations"]
            ],
        )
    merged = [
        merge_expectation(expectation, [p.results[i] for p in parts])
        for i, expectation in enumerate(definition["expectations"])
    ]
    return SuiteOutcome(suite=parts[0].suite, row_count=sum(p.row_count for p in parts), results=merged)


@dataclass
class RawGateRun:
    outcome: SuiteOutcome
    batches: list[tuple[str, int]]
    """The batches validated (id, rows in the raw table)."""
    digest: str


def raw_table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?", [name]
        ).fetchone()[0]  # type: ignore[index]
    )


def validate_raw_gate(
    con: duckdb.DuckDBPyConnection | None, gate: RawGate, docs_dir: Path | None = None, chunk_rows: int | None = None
) -> RawGateRun:
    """Validate the batches of `gate`'s raw table that its suite has not passed yet (see the module's docstring)."""
    definition = load_suite_definition(gate.suite)
    digest = suite_digest(definition)
    if con is None or not raw_table_exists(con, gate.dataset):
        # an API table on a warehouse the landing has not created yet (its gate runs first): nothing to validate
        return RawGateRun(outcome=merge_outcomes(definition, []), batches=[], digest=digest)
    batches = unvalidated_batches(con, gate, digest)
    query = gate.query(suite_columns(definition), batches=True)
    parts = []
    for chunk in batch_chunks(batches, chunk_rows or chunk_rows_limit()):
        frame = con.execute(query, {"batches": chunk}).df()
        parts.append(validate_dataframe(frame, definition, docs_dir=docs_dir))
    return RawGateRun(outcome=merge_outcomes(definition, parts), batches=batches, digest=digest)


def record_validated_batches(con: duckdb.DuckDBPyConnection, gate: RawGate, run: RawGateRun, run_id: str) -> None:
    """Remember a passed suite's batches, so later runs skip them (a failed suite's batches are not recorded)."""
    if not run.outcome.passed or not run.batches:
        return
    ensure_quality_tables(con)
    validated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.executemany(
        f"insert into {QUALITY_SCHEMA}.validated_batches values (?, ?, ?, ?, ?, ?)",
        [(gate.suite, run.digest, batch_id, rows, validated_at, run_id) for batch_id, rows in run.batches],
    )


POSITION_COLUMN = "_gate_row"
"""A row's position in the rows a model gate validates (0, 1, ...), added when the table is validated in chunks."""

UNIQUE_EXPECTATIONS = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
CHUNKABLE_EXPECTATIONS = frozenset(
    {
        # row by row: a row's verdict does not depend on the other rows
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_value_lengths_to_be_between",
        *UNIQUE_EXPECTATIONS,
        *AGGREGATE_EXPECTATIONS,
    }
)
"""Expectations whose chunked verdict `merge_outcomes` makes equal to the whole table's."""


def unique_columns(expectation: dict) -> tuple[str, ...] | None:
    """The columns a uniqueness expectation reads (sorted), None for any other expectation."""
    if expectation["type"] not in UNIQUE_EXPECTATIONS:
        return None
    kwargs = expectation["kwargs"]
    return tuple(sorted(kwargs.get("column_list") or [kwargs["column"]]))


def partitionings(definition: dict) -> list[tuple[tuple[str, ...], list[int]]]:
    """How to chunk a suite: (the columns to partition the rows on, the indexes of the expectations validated so).

    A uniqueness holds in every chunk exactly when it holds over the table if equal values always share a chunk, so
    the rows are partitioned on a hash of the unique columns. Every other expectation goes with the first
    partitioning; a uniqueness on another set of columns gets a pass of its own, partitioned on those."""
    by_columns: dict[tuple[str, ...], list[int]] = {}
    others: list[int] = []
    for index, expectation in enumerate(definition["expectations"]):
        columns = unique_columns(expectation)
        if columns is None:
            others.append(index)
        else:
            by_columns.setdefault(columns, []).append(index)
    if not by_columns:
        return [((), others)]
    (first, first_indexes), *rest = by_columns.items()
    return [(first, sorted([*first_indexes, *others])), *rest]


def chunk_condition(columns: tuple[str, ...], rows: int, chunks: int, chunk: int) -> str:
    """SQL selecting chunk `chunk` of `chunks` of `rows` rows: by a hash of `columns`, or without columns by position
    (consecutive rows). Rows with all of `columns` null are never duplicates (Great Expectations skips them), so they
    go by position too, however many there are."""
    by_position = f"{POSITION_COLUMN} * {chunks} // {rows} = {chunk}"
    if not columns:
        return by_position
    all_null = " and ".join(f'"{c}" is null' for c in columns)
    key = ", ".join(f'"{c}"' for c in columns)
    return f"(case when {all_null} then {by_position} else hash({key}) % {chunks} = {chunk} end)"


def validate_model_gate(
    con: duckdb.DuckDBPyConnection, gate: ModelGate, docs_dir: Path | None = None, chunk_rows: int | None = None
) -> SuiteOutcome:
    """Validate a mart or metric table in chunks of at most about QUALITY_GATE_CHUNK_ROWS rows, one chunk in memory
    at a time, with the verdict, counts and examples that validating the whole table as one frame gives.

    A table within the limit is one frame, as before. A larger one is read chunk by chunk with a SQL filter on
    a hash of the suite's unique column(s) (see `partitionings`); each row keeps its position in the whole table, so
    the merged examples are the table's first failing rows."""
    definition = load_suite_definition(gate.suite)
    query = gate.query(suite_columns(definition))
    rows = con.execute(f"select count(*) from ({query})").fetchone()[0]  # type: ignore[index]
    chunks = max(1, math.ceil(rows / (chunk_rows or chunk_rows_limit())))
    if chunks == 1:
        frame = con.execute(query).df()
        return validate_dataframe(frame, definition, docs_dir=docs_dir, example_columns=gate.example_columns)
    unchunkable = {e["type"] for e in definition["expectations"] if e["type"] not in CHUNKABLE_EXPECTATIONS}
    unchunkable |= {e["type"] for e in definition["expectations"] if "mostly" in e["kwargs"]}
    if unchunkable:
        raise ValueError(
            f"expectations/{gate.suite}.json: {sorted(unchunkable)} cannot be validated in chunks ({rows} rows); "
            "teach merge_outcomes how, or raise QUALITY_GATE_CHUNK_ROWS"
        )
    results: list[ExpectationOutcome | None] = [None] * len(definition["expectations"])
    row_count = 0
    for number, (columns, indexes) in enumerate(partitionings(definition)):
        part = {**definition, "expectations": [definition["expectations"][i] for i in indexes]}
        numbered = f"select *, row_number() over () - 1 as {POSITION_COLUMN} from ({gate.query(suite_columns(part))})"
        outcomes = []
        for chunk in range(chunks):
            condition = chunk_condition(columns, rows, chunks, chunk)
            frame = con.execute(f"select * from ({numbered}) where {condition} order by {POSITION_COLUMN}").df()
            if len(frame):
                outcomes.append(
                    validate_dataframe(
                        frame,
                        part,
                        # Data Docs keep the first partitioning's chunks (a second one is one uniqueness)
                        docs_dir=docs_dir if number == 0 else None,
                        example_columns=gate.example_columns,
                        position_column=POSITION_COLUMN,
                    )
                )
            del frame
        merged = merge_outcomes(part, outcomes)
        row_count = merged.row_count if number == 0 else row_count
        for index, outcome in zip(indexes, merged.results, strict=True):
            results[index] = outcome
    return SuiteOutcome(suite=definition["name"], row_count=row_count, results=[r for r in results if r is not None])


def record_outcome(
    con: duckdb.DuckDBPyConnection, outcome: SuiteOutcome, *, run_id: str, check_name: str, asset_key: str
) -> None:
    ensure_quality_tables(con)
    checked_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.executemany(
        f"insert into {QUALITY_SCHEMA}.check_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                checked_at,
                check_name,
                asset_key,
                outcome.suite,
                r.expectation,
                r.column,
                r.severity,
                r.success,
                r.element_count,
                r.unexpected_count,
                json.dumps(r.examples, ensure_ascii=False, default=str) if r.examples else None,
            )
            for r in outcome.results
        ],
    )


def check_result(outcome: SuiteOutcome, data_docs: Path | None = None) -> dg.AssetCheckResult:
    failures = outcome.failures
    errors = [f for f in failures if f.severity == "error"]
    return dg.AssetCheckResult(
        passed=not failures,
        severity=dg.AssetCheckSeverity.ERROR if errors or not failures else dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(failures)} of {outcome.expectations_evaluated} expectations failed on {outcome.row_count} rows"
            if failures
            else None
        ),
        metadata={
            "rows_validated": outcome.row_count,
            "expectations_evaluated": outcome.expectations_evaluated,
            "failed_expectations": dg.MetadataValue.md("\n".join(f"- {f.describe()}" for f in failures) or "none"),
            # the same failures as data (rule, rows, one example), what the alerts (orchestration/alerts/) report
            "failed_rules": dg.MetadataValue.json(
                [
                    {
                        "rule": f.rule,
                        "expectation": f.expectation,
                        "column": f.column,
                        "severity": f.severity,
                        "unexpected_count": f.unexpected_count,
                        "element_count": f.element_count,
                        "example": json.loads(json.dumps(f.examples[0], ensure_ascii=False, default=str))
                        if f.examples
                        else None,
                    }
                    for f in failures
                ]
            ),
            **({"data_docs": dg.MetadataValue.path(str(data_docs))} if data_docs else {}),
        },
    )


SHIPPED_HAS_TIME = "not is_shipped or {0} is not null as _shipped_has_time"
LATEST_PAID_30D = "is_paid and paid_date > (select max(paid_date) from marts.fct_order_lines) - 30"

MODEL_GATES: tuple[ModelGate, ...] = (
    ModelGate(
        "marts_fct_orders",
        ("marts", "fct_orders"),
        "marts.fct_orders",
        derived="total_amount - paid_amount as _total_minus_paid, paid_amount - refund_amount as _paid_minus_refund",
    ),
    ModelGate(
        "marts_fct_order_lines",
        ("marts", "fct_order_lines"),
        "marts.fct_order_lines",
        # soft threshold: the share of the last 30 days' paid revenue on products not mapped to an ERP SKU (a scalar
        # subquery, not a window over the table: computed once, without holding the table's rows, chunk by chunk)
        derived=(
            "(select sum(line_revenue) filter "
            f"(where {LATEST_PAID_30D} and mapping_status not in ('mapped', 'manual')) "
            f"/ nullif(sum(line_revenue) filter (where {LATEST_PAID_30D}), 0) from marts.fct_order_lines) "
            "as _unmapped_revenue_share_30d"
        ),
        example_columns=("order_line_id",),
    ),
    ModelGate(
        "marts_fct_order_reconciliation",
        ("marts", "fct_order_reconciliation"),
        "marts.fct_order_reconciliation",
        example_columns=("reconciliation_item_id",),
    ),
    ModelGate(
        "marts_fct_shipments",
        ("marts", "fct_shipments"),
        "marts.fct_shipments",
        derived=SHIPPED_HAS_TIME.format("shipped_at"),
        example_columns=("shipment_line_id",),
    ),
    ModelGate(
        "marts_fct_order_fulfilment",
        ("marts", "fct_order_fulfilment"),
        "marts.fct_order_fulfilment",
        derived=SHIPPED_HAS_TIME.format("first_shipped_at"),
        example_columns=("order_id",),
    ),
    ModelGate(
        "marts_inventory_health",
        ("marts", "inventory_health"),
        "marts.inventory_health",
        example_columns=("sku_id", "snapshot_date"),
    ),
    ModelGate(
        # warning only: the anomalies of the latest 7 days alert (metric, direction, size) and never block
        "marts_daily_kpi_anomalies",
        ("marts", "daily_kpi_anomalies"),
        "marts.daily_kpi_anomalies",
        where="metric_date > (select max(metric_date) from marts.daily_kpi_anomalies) - 7",
        example_columns=("metric_date", "kpi_name", "direction", "kpi_value", "baseline_value", "relative_deviation"),
    ),
    ModelGate(
        "metrics_daily_kpis",
        ("metrics", "metric_tables"),
        "metrics.daily_kpis",
        derived="date_diff('day', lag(metric_date) over (order by metric_date), metric_date) as _days_since_previous",
    ),
    ModelGate(
        "metrics_reconciliation_match_rate",
        ("metrics", "metric_tables"),
        "metrics.monthly_reconciliation_match_rate",
        # a rate means something with volume: months with fewer than 50 orders to reconcile are not gated
        derived=(
            "case when reconciliation_items >= 50 then reconciliation_match_rate end as _match_rate_of_busy_months"
        ),
    ),
)


def suite_blocks(definition: dict) -> bool:
    """A suite with an error-severity expectation is a blocking check; a warning-only suite never blocks."""
    return any((e.get("meta") or {}).get("severity", "error") == "error" for e in definition["expectations"])


def gx_table_gate(gate: RawGate | ModelGate) -> dg.AssetChecksDefinition:
    asset_key = gate.asset_key
    if isinstance(gate, RawGate) and gate.dataset not in RAW_DATASETS_BY_NAME:
        raise ValueError(f"no raw dataset {gate.dataset}")

    @dg.asset_check(
        asset=asset_key,
        name=f"gx_{gate.suite}",
        description=gate.description,
        blocking=suite_blocks(load_suite_definition(gate.suite)),
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        docs_dir = Settings.from_env().quality_docs_dir
        raw_run = None
        if isinstance(gate, RawGate):
            if Path(warehouse.path).exists():
                with warehouse.connect(read_only=True) as con:
                    raw_run = validate_raw_gate(con, gate, docs_dir=docs_dir)
            else:  # the first run: the API tables' gates may run before the landing creates the warehouse
                raw_run = validate_raw_gate(None, gate, docs_dir=docs_dir)
            outcome = raw_run.outcome
            context.log.info(
                f"{gate.suite}: {len(raw_run.batches)} batch(es) not yet validated, {outcome.row_count} rows validated"
            )
        else:  # marts and metric tables: audited in the run's build, before they are published
            with warehouse.connect_build(read_only=True) as con:
                outcome = validate_model_gate(con, gate, docs_dir=docs_dir)
            context.log.info(f"{gate.suite}: {outcome.row_count} rows validated")
        for failure in outcome.failures:
            log = context.log.error if failure.severity == "error" else context.log.warning
            log(failure.describe())
        with warehouse.connect() as con:
            record_outcome(
                con,
                outcome,
                run_id=context.run.run_id,
                check_name=f"gx_{gate.suite}",
                asset_key=asset_key.to_user_string(),
            )
            if raw_run is not None:
                record_validated_batches(con, gate, raw_run, context.run.run_id)
        return check_result(outcome, data_docs_index(docs_dir))

    return _check


def build_gx_checks() -> list[dg.AssetChecksDefinition]:
    """A Great Expectations check per raw and model gate (reads each suite, for whether it blocks)."""
    return [gx_table_gate(gate) for gate in (*RAW_GATES, *MODEL_GATES)]


@dg.asset_check(
    asset=dg.AssetKey(["metrics", "metric_tables"]),
    name=CONTRACT_CHECK_NAME,
    blocking=True,
    description=(
        "The metric tables match their contract (expectations/metric_tables.contract.yml): every declared table and "
        "column exists with its data type, key columns have no nulls, nothing undeclared. Blocks the report."
    ),
)
def metric_tables_contract(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect_build(read_only=True) as con:  # audited in the run's build, before it is published
        outcome = check_contract(con, load_contract())
    for failure in outcome.failures:
        context.log.error(failure.describe())
    with warehouse.connect() as con:
        record_outcome(
            con, outcome, run_id=context.run.run_id, check_name=CONTRACT_CHECK_NAME, asset_key="metrics/metric_tables"
        )
    return check_result(outcome)


FRESHNESS_CHECK_NAME = "dbt_source_freshness"


def dbt_source_freshness_check(raw_keys: set[dg.AssetKey]) -> dg.AssetChecksDefinition:
    """`dbt source freshness` over every dbt source that a raw asset loads: one check result per raw table.

    Not blocking: a source that stopped arriving is reported (warning after 26 hours, error after 50, thresholds in
    dbt_project.yml) while the data that did arrive still reaches the report."""
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    names = sorted(
        {s["name"] for s in manifest["sources"].values() if s.get("freshness")} & {k.path[-1] for k in raw_keys}
    )
    specs = [
        dg.AssetCheckSpec(
            FRESHNESS_CHECK_NAME,
            asset=raw_asset_key(name),
            blocking=False,
            description=f"dbt source freshness of raw.{name}: its newest _loaded_at against dbt_project.yml's limits",
        )
        for name in names
    ]

    @dg.multi_asset_check(specs=specs, name=FRESHNESS_CHECK_NAME, can_subset=True)
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, dbt: DbtCliResource
    ) -> Iterator[dg.AssetCheckResult]:
        invocation = dbt.cli(["source", "freshness"], raise_on_error=False, manifest=dbt_project().manifest_path)
        invocation.wait()
        try:
            results = source_freshness_results(invocation.get_artifact("sources.json"), manifest)
        except FileNotFoundError:
            results = {}
        for check_key in sorted(context.selected_asset_check_keys, key=lambda k: k.asset_key.to_user_string()):
            name = check_key.asset_key.path[-1]
            result = results.get(name) or ExpectationOutcome(
                expectation="dbt_source_freshness",
                column="_loaded_at",
                severity="error",
                unexpected_count=1,
                element_count=1,
                examples=[{"table": f"raw.{name}", "error": "dbt source freshness gave no result"}],
            )
            outcome = SuiteOutcome(suite=FRESHNESS_CHECK_NAME, row_count=1, results=[result])
            if not result.success:
                (context.log.error if result.severity == "error" else context.log.warning)(result.describe())
            with warehouse.connect() as con:
                record_outcome(
                    con,
                    outcome,
                    run_id=context.run.run_id,
                    check_name=FRESHNESS_CHECK_NAME,
                    asset_key=check_key.asset_key.to_user_string(),
                )
            check = check_result(outcome)
            yield dg.AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=FRESHNESS_CHECK_NAME,
                passed=check.passed,
                severity=check.severity,
                description=check.description,
                metadata={**check.metadata, **(result.examples[0] if result.examples else {})},
            )

    return _check


RAW_ASSET_KEYS = set(raw_landing_files.keys) | {key for asset in API_ASSETS for key in asset.keys}


def build_quality_checks(raw_keys: set[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """Every quality check of the pipeline (the code location registers these), with dbt source freshness on the
    raw assets `raw_keys`. Reads the suites and the dbt manifest: called when the definitions are built."""
    return [*build_gx_checks(), metric_tables_contract, dbt_source_freshness_check(raw_keys)]
