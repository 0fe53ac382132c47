"""Dagster resources shared by the asset groups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import publish


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. DuckDB allows one writer at a time: assets open it, work, and close it.

    A run holds the warehouse's run lock from its start to its end (`orchestration/publish.py`): a second run on the
    same warehouse fails at once, naming the first. Sensors use the resource without taking the lock.
    `connect()` opens the published file (ingest, the raw gates, every gate's recorded results); `connect_build()`
    opens the file the run builds in (dbt, metric tables, the gates on them) while a build is open, else the
    published file (docs/publishing.md)."""

    path: str

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        run = context.dagster_run
        if run is None:  # a sensor or a schedule: reads only
            yield self
            return
        with publish.run_lock(Path(self.path), holder=f"Dagster run {run.run_id} ({run.job_name})"):
            yield self

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        yield from _connect(Path(self.path), read_only)

    @contextmanager
    def connect_build(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        yield from _connect(self.build_path, read_only)

    @property
    def build_path(self) -> Path:
        """The build file while this process has a build open, else the published file."""
        return publish.current_file(Path(self.path))

    def open_build(self) -> Path:
        return publish.open_build(Path(self.path))

    def publish(self) -> Path:
        return publish.publish(Path(self.path))


def _connect(path: Path, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


class LandingResource(dg.ConfigurableResource):
    """The landing folder of Tmall and ERP exports."""

    path: str
