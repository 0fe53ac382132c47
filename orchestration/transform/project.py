"""The dbt project's location and `dbt parse`. Importing this reads nothing: `dbt_project()` builds the dagster-dbt
`DbtProject` (which reads dbt_project.yml) on first use, and nothing reads the manifest until definitions are built."""

import functools
import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_ROOT

DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_PRINTER_WIDTH": "120"}


@functools.cache
def dbt_project() -> DbtProject:
    """The dbt project (this repository), its manifest at `target/manifest.json`: one object per process."""
    return DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)


def prepare_manifest(project_dir: Path = PROJECT_ROOT) -> Path:
    """Run `dbt parse` so that `target/manifest.json` (and MetricFlow's semantic manifest) match the code.

    Building the definitions reads the manifest (importing a module does not); `python -m orchestration.run`, the
    Makefile and the test session call this first. `dagster dev` does the same through `prepare_if_dev`, which the
    code location `orchestration.definitions.defs` calls before it builds the definitions.
    """
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        check=True,
        env={**os.environ, **DBT_ENV},
        cwd=project_dir,
    )
    return project_dir / "target" / "manifest.json"
