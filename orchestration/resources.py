"""Dagster resources shared by the asset groups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. DuckDB allows one writer at a time: assets open it, work, and close it."""

    path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        from pathlib import Path

        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


class LandingResource(dg.ConfigurableResource):
    """The landing folder of Tmall and ERP exports."""

    path: str
