"""The dbt project's location and `dbt parse`. Importing this reads nothing: `dbt_project()` builds the dagster-dbt
`DbtProject` (which reads dbt_project.yml) on first use, and nothing reads the manifest until definitions are built.

The artefacts (manifest, semantic manifest) live in the target path of the warehouse in WAREHOUSE_PATH
(`orchestration.settings.dbt_target_path_for`: `target/` for the default warehouse, `target/warehouses/<slug>/` for
another), so runs on different warehouses from one checkout never overwrite each other's."""

import functools
import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.settings import PROJECT_ROOT, Settings

DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_PRINTER_WIDTH": "120"}


def dbt_target_path() -> Path:
    """The target path of the warehouse in WAREHOUSE_PATH."""
    return Settings.from_env().dbt_target_path


def dbt_project() -> DbtProject:
    """The dbt project (this repository), its manifest in the target path of the warehouse in WAREHOUSE_PATH: one
    object per target path and process."""
    return _dbt_project(dbt_target_path())


@functools.cache
def _dbt_project(target_path: Path) -> DbtProject:
    return DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT, target_path=target_path)


def prepare_manifest(project_dir: Path = PROJECT_ROOT) -> Path:
    """Run `dbt parse` so that the warehouse's `manifest.json` (and MetricFlow's semantic manifest) match the code;
    returns the manifest's path.

    Building the definitions reads the manifest (importing a module does not); `python -m orchestration.run`, the
    Makefile and the test session call this first. `dagster dev` does the same through `prepare_if_dev`, which the
    code location `orchestration.definitions.defs` calls before it builds the definitions.
    """
    dbt = Path(sys.executable).with_name("dbt")
    target = dbt_target_path()
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
        + ["--target-path", str(target)],
        check=True,
        env={**os.environ, **DBT_ENV},
        cwd=project_dir,
    )
    return target / "manifest.json"
