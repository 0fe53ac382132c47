"""The write–audit–publish mechanism on a small DuckDB file (orchestration/publish.py), without a pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration import publish

READER = (
    "import sys, duckdb\ncon = duckdb.connect(sys.argv[1], read_only=True)\n"
    "count = 'select count(*) from marts.fct_orders'\n"
    "print(con.execute(count).fetchone()[0], flush=True)\nsys.stdin.readline()\n"
    "print(con.execute(count).fetchone()[0], flush=True)\n"
)


def make_warehouse(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create table marts.fct_orders as select 1 as order_id")
        con.execute("create schema quality; create table quality.check_results as select 'raw' as check_name")
    return path


def test_a_build_is_invisible_until_published_and_readers_of_the_old_file_keep_it(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "analytics.duckdb")
    build = publish.open_build(warehouse)
    assert build.name == warehouse.name and build != warehouse
    with duckdb.connect(str(build)) as con:
        con.execute("insert into marts.fct_orders values (2)")
    with duckdb.connect(str(warehouse)) as con:  # a gate records its result in the published file meanwhile
        con.execute("insert into quality.check_results values ('marts')")
    # an analyst's read-only connection in another process, open across the publish
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert reader.stdout.readline().strip() == "1"

    publish.publish(warehouse)

    after, _ = reader.communicate("go\n", timeout=60)
    assert after.strip() == "1", "a reader that had the old file open keeps reading it"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchone() == (2,)
        assert con.execute("select count(*) from quality.check_results").fetchone() == (2,), "results carried over"
    assert not publish.build_dir(warehouse).exists()
    assert publish.current_file(warehouse) == warehouse


def test_a_leftover_build_is_discarded_when_the_next_build_opens(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "analytics.duckdb")
    leftover = publish.build_file(warehouse)
    leftover.parent.mkdir()
    leftover.write_bytes(b"half a database")
    build = publish.open_build(warehouse)
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_orders").fetchone() == (1,)
    assert publish.discard_build(warehouse) and not build.exists()


def test_a_second_process_is_refused_the_lock_at_once_and_gets_it_after(tmp_path: Path) -> None:
    warehouse = tmp_path / "analytics.duckdb"
    probe = (
        "import sys; from pathlib import Path; from orchestration import publish\n"
        "try:\n    publish.acquire(Path(sys.argv[1]), 'probe')\nexcept publish.WarehouseBusy as e:\n"
        "    print(e); sys.exit(2)\n"
    )
    with publish.run_lock(warehouse, "the first run"):
        with publish.run_lock(warehouse, "the same process again"):  # re-entrant
            pass
        refused = subprocess.run([sys.executable, "-c", probe, str(warehouse)], capture_output=True, text=True)
        assert refused.returncode == 2, refused.stderr
        assert "in use by another run (the first run, pid" in refused.stdout
    allowed = subprocess.run([sys.executable, "-c", probe, str(warehouse)], capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_publishing_without_an_open_build_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish.publish(make_warehouse(tmp_path / "analytics.duckdb"))
