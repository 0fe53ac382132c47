"""Dagster assets that publish the Evidence report: export the metric tables, then build the static site."""

from pathlib import Path

import dagster as dg

from orchestration.reports.export import export_report_database
from orchestration.resources import WarehouseResource


class ReportConfig(dg.ConfigurableResource):
    """Where the Evidence project lives (REPORTS_DIR, default `reports/`)."""

    reports_dir: str

    @property
    def report_database(self) -> Path:
        return Path(self.reports_dir) / "sources" / "warehouse" / "report.duckdb"


@dg.asset(
    key=["reports", "report_database"],
    group_name="reports",
    # built from what was published (orchestration/publish.py), never from a run's unpublished build
    deps=[dg.AssetKey(["warehouse", "published"])],
    kinds={"duckdb"},
    description=(
        "The metric tables, plus whitelisted columns of marts and quality results (no personal data), copied to "
        "reports/sources/warehouse/report.duckdb: all the report reads."
    ),
)
def report_database(warehouse: WarehouseResource, report: ReportConfig) -> dg.MaterializeResult:
    target = report.report_database
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    counts = export_report_database(Path(warehouse.path), temporary)
    temporary.replace(target)
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(target)), **{f"rows_{t}": n for t, n in counts.items()}}
    )


@dg.asset(
    key=["reports", "evidence_report"],
    group_name="reports",
    deps=[report_database],
    kinds={"evidence"},
    description="The Evidence report (reports/), built to static pages that open without internet.",
)
def evidence_report(context: dg.AssetExecutionContext, report: ReportConfig) -> dg.MaterializeResult:
    from orchestration.reports.evidence import build_report

    result = build_report(Path(report.reports_dir))
    context.log.info("report built in %.1fs at %s", result.duration_seconds, result.build_dir)
    return dg.MaterializeResult(
        metadata={
            "build_dir": dg.MetadataValue.path(str(result.build_dir)),
            "duration_seconds": dg.MetadataValue.float(result.duration_seconds),
            "size_bytes": dg.MetadataValue.int(result.size_bytes),
            "pages": dg.MetadataValue.int(result.page_count),
        }
    )
