"""The dbt project's location and `dbt parse`: importable before any manifest exists."""

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_ROOT

DBT_PROJECT = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)
DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_PRINTER_WIDTH": "120"}


def prepare_manifest(project_dir: Path = PROJECT_ROOT) -> Path:
    """Run `dbt parse` so that `target/manifest.json` (and MetricFlow's semantic manifest) match the code.

    Definitions load the manifest at import; the Makefile and the test session call this first. `dagster dev`
    does the same through `prepare_if_dev`.
    """
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        check=True,
        env={**os.environ, **DBT_ENV},
        cwd=project_dir,
    )
    return project_dir / "target" / "manifest.json"
