"""A private copy of the Evidence project for tests, so `reports/build` (the user's report) is never touched."""

from __future__ import annotations

import shutil
from pathlib import Path

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"


def stage_reports_project(target: Path) -> Path:
    """A private copy of the Evidence project (sharing node_modules), so tests never touch reports/build."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "evidence.config.yaml", "evidence.settings.json"):
        shutil.copy2(REPORTS_DIR / name, target / name)
    for name in ("pages", "sources", "components", "offline-duckdb-client", "csv-download", "scripts"):
        if (REPORTS_DIR / name).is_dir():
            shutil.copytree(
                REPORTS_DIR / name, target / name, ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.wal")
            )
    (target / "node_modules").symlink_to(REPORTS_DIR / "node_modules", target_is_directory=True)
    return target
