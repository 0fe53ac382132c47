"""The `dbt build` command line of a pipeline run, and its run config. Kept apart from the Dagster assets
(orchestration/transform/dbt.py) so that the benchmark harness builds the same command without loading them."""

import json
from typing import Any

import dagster as dg


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild the incremental models from scratch (`dbt build --full-refresh`), e.g. after a change to their SQL
    or contract, or to the seed product_mapping_overrides."""
    lookback_days: int | None = None
    """Override the dbt var incremental_lookback_days (dbt_project.yml) for this run."""
    unit_tests: bool = False
    """Also run the dbt unit tests (`unit_tests:` in the model YAML). They test the SQL's logic on fixed inputs,
    not the data, so a data run does not need them; CI runs them on every change
    (tests/structure/test_dbt_unit_tests.py), as dbt recommends."""


def dbt_build_args(config: DbtBuildConfig, window_start: str | None) -> list[str]:
    """The `dbt build` command line for a run: the incremental window as dbt vars, or a full refresh; without the
    unit tests unless the config asks for them."""
    args = ["build"]
    variables: dict[str, Any] = {}
    if window_start:
        variables["incremental_window_start"] = window_start
    if config.lookback_days is not None:
        if config.lookback_days < 0:
            raise ValueError(f"lookback_days must be 0 or more, got {config.lookback_days}")
        variables["incremental_lookback_days"] = config.lookback_days
    if variables:
        args += ["--vars", json.dumps(variables)]
    if config.full_refresh:
        args.append("--full-refresh")
    if not config.unit_tests:
        args += ["--exclude", "resource_type:unit_test"]
    return args
