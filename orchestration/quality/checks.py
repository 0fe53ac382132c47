"""Quality gates: each raw dataset's Great Expectations suite as a blocking Dagster asset check.

What a gate validates is what staging will use: for every entity (an order, an ERP order, a SKU, ...) the rows of its
latest delivery. A bad export therefore blocks the pipeline until it is fixed, and a corrected re-export of the same
orders (loaded later) supersedes it, exactly as it supersedes it in staging. Two helper columns are added for the
suites: `_key_rows_in_batch` (how often the row's key occurs in its own export: a key twice in one export is an
error) and, for datasets that reference another, whether the referenced record exists.

Every expectation's result is appended to `quality.check_results`, the history behind the report's 数据质量 page.
Error-severity failures block everything downstream; warning-severity failures are recorded and do not block.
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.ingest.assets import raw_asset_key
from orchestration.ingest.datasets import DATASETS_BY_NAME
from orchestration.quality.great_expectations import (
    SuiteOutcome,
    data_docs_index,
    load_suite_definition,
    validate_dataframe,
)
from orchestration.resources import WarehouseResource
from orchestration.settings import Settings

QUALITY_SCHEMA = "quality"


@dataclass(frozen=True)
class RawGate:
    dataset: str
    entity: tuple[str, ...]
    """The columns naming one entity: its rows of the latest delivery are validated together."""
    batch_key: tuple[str, ...]
    """The columns that must be unique within one export."""
    references: str = ""
    """Extra select-list SQL (with alias `r` for the raw row) for referential helper columns."""

    @property
    def suite(self) -> str:
        return f"raw_{self.dataset}"

    def query(self, columns: list[str] | None = None) -> str:
        """The rows to validate; `columns` limits the select list to what the suite reads (plus row locations)."""
        entity = ", ".join(f'"{c}"' for c in self.entity)
        batch_key = ", ".join(f'"{c}"' for c in (*self.batch_key, "_batch_id"))
        references = f", {self.references}" if self.references else ""
        if columns:
            wanted = dict.fromkeys([*columns, "_source_file", "_source_row_number"])
            select_list = ", ".join(f'"{c}"' for c in wanted)
        else:
            select_list = "* exclude (_delivery_rank)"
        return f"""
            with deliveries as (
                select r.*,
                       count(*) over (partition by {batch_key}) as _key_rows_in_batch,
                       dense_rank() over (partition by {entity} order by _loaded_at desc, _batch_id desc)
                           as _delivery_rank
                       {references}
                from raw.{self.dataset} as r
            )
            select {select_list} from deliveries where _delivery_rank = 1
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

    @property
    def asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(list(self.asset_path))

    @property
    def description(self) -> str:
        return (
            f"Great Expectations suite expectations/{self.suite}.json on {self.table}; error severity blocks "
            "everything downstream (the report is not rebuilt)."
        )

    def query(self, columns: list[str] | None = None) -> str:
        derived = f", {self.derived}" if self.derived else ""
        select_list = ", ".join(f'"{c}"' for c in dict.fromkeys(columns)) if columns else "*"
        return f"select {select_list} from (select *{derived} from {self.table})"


RAW_GATES: tuple[RawGate, ...] = (
    RawGate("tmall_orders", entity=("order_id",), batch_key=("order_id",)),
    RawGate(
        "tmall_order_items",
        entity=("order_id",),
        batch_key=("order_id", "line_number"),
        references="exists (select 1 from raw.tmall_orders o where o.order_id = r.order_id) as _order_in_order_report",
    ),
    RawGate("erp_skus", entity=("sku_id",), batch_key=("sku_id",)),
    RawGate("erp_sales_orders", entity=("erp_order_id",), batch_key=("erp_order_id",)),
    RawGate(
        "erp_shipments",
        entity=("outbound_id",),
        batch_key=("outbound_id", "sku_id"),
        references=(
            "exists (select 1 from raw.erp_sales_orders o where o.erp_order_id = r.erp_order_id) "
            "as _order_in_erp_orders"
        ),
    ),
    RawGate(
        "erp_inventory",
        entity=("sku_id", "warehouse_name", "snapshot_at"),
        batch_key=("sku_id", "warehouse_name", "snapshot_at"),
    ),
    RawGate("tmall_sub_orders", entity=("order_id",), batch_key=("sub_order_id",)),
    RawGate("tmall_traffic_shop", entity=("shop_name", "traffic_date"), batch_key=("shop_name", "traffic_date")),
    RawGate(
        "tmall_traffic_items",
        entity=("shop_name", "item_id", "traffic_date"),
        batch_key=("shop_name", "item_id", "traffic_date"),
    ),
    RawGate("erp_purchase_receipts", entity=("receipt_id",), batch_key=("receipt_id", "sku_id")),
)


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
            **({"data_docs": dg.MetadataValue.path(str(data_docs))} if data_docs else {}),
        },
    )


MODEL_GATES: tuple[ModelGate, ...] = (
    ModelGate(
        "marts_fct_orders",
        ("marts", "fct_orders"),
        "marts.fct_orders",
        derived="total_amount - paid_amount as _total_minus_paid, paid_amount - refund_amount as _paid_minus_refund",
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


def gx_table_gate(gate: RawGate | ModelGate) -> dg.AssetChecksDefinition:
    asset_key = gate.asset_key
    if isinstance(gate, RawGate) and gate.dataset not in DATASETS_BY_NAME:
        raise ValueError(f"no raw dataset {gate.dataset}")

    @dg.asset_check(asset=asset_key, name=f"gx_{gate.suite}", description=gate.description, blocking=True)
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        definition = load_suite_definition(gate.suite)
        with warehouse.connect(read_only=True) as con:
            frame = con.execute(gate.query(suite_columns(definition))).df()
        docs_dir = Settings.from_env().quality_docs_dir
        outcome = validate_dataframe(frame, definition, docs_dir=docs_dir)
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
        return check_result(outcome, data_docs_index(docs_dir))

    return _check


GX_CHECKS = [gx_table_gate(gate) for gate in (*RAW_GATES, *MODEL_GATES)]
