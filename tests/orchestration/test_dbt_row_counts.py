"""The dbt assets carry their row counts (`dagster/row_count`, what the asset graph shows): counted on a read-only
connection after dbt has exited, tables, incremental models and seeds but not views, and a failed build still raises
after the events that came before its error."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.transform.dbt import ROW_COUNT, with_row_counts

MANIFEST = {
    "nodes": {
        "model.p.fct_orders": {
            "name": "fct_orders",
            "schema": "marts",
            "alias": "fct_orders",
            "config": {"materialized": "incremental"},
        },
        "model.p.stg_orders": {
            "name": "stg_orders",
            "schema": "staging",
            "alias": "stg_orders",
            "config": {"materialized": "view"},
        },
        "seed.p.status_map": {
            "name": "status_map",
            "schema": "seeds",
            "alias": "status_map",
            "config": {"materialized": "seed"},
        },
    }
}


def output(unique_id: str) -> dg.Output:
    return dg.Output(None, output_name=unique_id.replace(".", "_"), metadata={"unique_id": unique_id})


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "staging", "seeds"):
            con.execute(f"create schema {schema}")
        con.execute("create table marts.fct_orders as select range as order_id from range(3)")
        con.execute("create view staging.stg_orders as select 1 as order_id")
        con.execute("create table seeds.status_map as select 'a' as status")
    return path


def test_tables_and_seeds_get_their_row_count_and_views_do_not(warehouse: Path) -> None:
    events = [output("model.p.fct_orders"), output("model.p.stg_orders"), output("seed.p.status_map")]
    counted = list(with_row_counts(iter(events), MANIFEST, warehouse))
    counts = [event.metadata.get(ROW_COUNT) for event in counted]
    assert [c.value if c is not None else None for c in counts] == [3, None, 1]
    # the warehouse is free again: a read-write connection opens (no connection was left behind)
    duckdb.connect(str(warehouse)).close()


def test_a_failed_build_raises_after_the_events_before_its_error(warehouse: Path) -> None:
    def failing():
        yield output("model.p.fct_orders")
        raise RuntimeError("dbt build failed")

    seen = []
    with pytest.raises(RuntimeError, match="dbt build failed"):
        for event in with_row_counts(failing(), MANIFEST, warehouse):
            seen.append(event)
    assert [e.metadata[ROW_COUNT].value for e in seen] == [3]
