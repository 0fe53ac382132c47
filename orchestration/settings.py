"""Settings, all from environment variables with documented defaults (see docs/running.md, "Configuration").

Relative paths are resolved against the repository root, so commands work from any working directory.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_MODES = ("files", "api")
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "analytics.duckdb"
DBT_TARGET_DIR = PROJECT_ROOT / "target"
"""dbt's target path (dbt_project.yml): the artefacts of the default warehouse, and of dbt run by hand."""


def dbt_target_path_for(warehouse_path: Path) -> Path:
    """Where a pipeline run on `warehouse_path` keeps its dbt and MetricFlow artefacts (manifest, semantic manifest,
    run results, dagster-dbt's per-run folders): `target/` for the default warehouse, `target/warehouses/<stem>-<hash
    of the absolute path>/` for any other, so runs on different warehouses from one checkout never share them."""
    absolute = Path(os.path.abspath(warehouse_path))
    if absolute == DEFAULT_WAREHOUSE:
        return DBT_TARGET_DIR
    digest = hashlib.sha256(str(absolute).encode("utf-8")).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", absolute.stem)[:40]
    return DBT_TARGET_DIR / "warehouses" / f"{stem}-{digest}"


def _path(variable: str, default: str) -> Path:
    path = Path(os.environ.get(variable, default)).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    """LANDING_DIR (default data/landing): the folder of Tmall and ERP exports."""
    warehouse_path: Path
    """WAREHOUSE_PATH (default warehouse/analytics.duckdb): the DuckDB warehouse file."""
    reports_dir: Path
    """REPORTS_DIR (default reports): the Evidence project."""
    quality_docs_dir: Path = PROJECT_ROOT / "expectations" / "uncommitted"
    """QUALITY_DOCS_DIR (default expectations/uncommitted): kept validation results and Great Expectations Data Docs."""
    source_mode: str = "files"
    """SOURCE_MODE (default files): `api` makes `python -m orchestration.run` also serve the landing folder's demo data
    through the local TOP and 聚水潭 simulators and fetch it with the API assets (docs/api-sources.md)."""

    def __post_init__(self) -> None:
        if self.source_mode not in SOURCE_MODES:
            raise ValueError(f"SOURCE_MODE {self.source_mode!r} is not one of {', '.join(SOURCE_MODES)}")

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            landing_dir=_path("LANDING_DIR", "data/landing"),
            warehouse_path=_path("WAREHOUSE_PATH", "warehouse/analytics.duckdb"),
            reports_dir=_path("REPORTS_DIR", "reports"),
            quality_docs_dir=_path("QUALITY_DOCS_DIR", "expectations/uncommitted"),
            source_mode=(os.environ.get("SOURCE_MODE") or "files").strip().lower(),
        )

    @property
    def dbt_target_path(self) -> Path:
        """This warehouse's dbt and MetricFlow artefacts (`dbt_target_path_for`)."""
        return dbt_target_path_for(self.warehouse_path)

    @property
    def report_database(self) -> Path:
        return self.reports_dir / "sources" / "warehouse" / "report.duckdb"
