"""Settings, all from environment variables with documented defaults (see README, "Configuration").

Relative paths are resolved against the repository root, so commands work from any working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_MODES = ("files", "api")


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
    def report_database(self) -> Path:
        return self.reports_dir / "sources" / "warehouse" / "report.duckdb"
