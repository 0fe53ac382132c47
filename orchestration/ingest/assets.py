"""Dagster assets that load the landing folder into the warehouse's `raw` schema."""

from pathlib import Path

import dagster as dg

from orchestration.freshness import RAW_FRESHNESS
from orchestration.ingest.datasets import DATASETS
from orchestration.ingest.loader import LandingError, ingest_landing, quote_name, raw_row_counts
from orchestration.resources import LandingResource, WarehouseResource

RAW_GROUP = "raw"


def raw_asset_key(dataset_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", dataset_name])


@dg.multi_asset(
    name="raw_landing_files",
    specs=[
        dg.AssetSpec(
            raw_asset_key(d.name),
            description=d.description,
            group_name=RAW_GROUP,
            kinds={"duckdb", "python"},
            metadata={"columns": ", ".join(d.raw_columns)},
            freshness_policy=RAW_FRESHNESS,
        )
        for d in DATASETS
    ],
    can_subset=False,
)
def raw_landing_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource):
    """Load every new Tmall and ERP export of the landing folder into `raw`, quarantining rows that cannot load."""
    landing_dir = Path(landing.path)
    with warehouse.connect() as con:
        try:
            report = ingest_landing(con, landing_dir)
        except LandingError as exc:
            raise dg.Failure(description=str(exc)) from exc
        table_rows = raw_row_counts(con)
        quarantine_total = con.execute("select count(*) from raw.quarantine").fetchone()[0]
    context.log.info("quarantine holds %d rows in total", quarantine_total)
    for skipped in report.not_loaded():
        context.log.warning("%s was not loaded: %s", quote_name(skipped.source_file), skipped.reason)
    for dataset in DATASETS:
        totals = report.totals(dataset.name)
        files = [
            f"{quote_name(f.source_file)}: {f.status}, {f.rows_in} in, {f.rows_loaded} loaded, "
            f"{f.rows_quarantined} quarantined, {f.rows_held_back} held back"
            + (f", truncated: {f.truncated}" if f.truncated else "")
            for f in report.for_dataset(dataset.name)
        ]
        yield dg.MaterializeResult(
            asset_key=raw_asset_key(dataset.name),
            metadata={
                **{k: dg.MetadataValue.int(v) for k, v in totals.items()},
                "table_rows": dg.MetadataValue.int(table_rows[dataset.name]),
                "files": dg.MetadataValue.md("\n".join(f"- {line}" for line in files) or "no files"),
            },
        )
