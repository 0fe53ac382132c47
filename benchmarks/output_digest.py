"""The fingerprint of what a pipeline run published: one SHA-256 per table of the marts and metric tables (and the
other built schemas), to prove that a refactoring changed no number.

    .venv/bin/python benchmarks/output_digest.py WAREHOUSE.duckdb > before.json      # on the old commit's warehouse
    .venv/bin/python benchmarks/output_digest.py WAREHOUSE.duckdb > after.json       # on the new one's
    .venv/bin/python benchmarks/output_digest.py --compare before.json after.json     # exit 1 on any difference

Each table is written as CSV with every column, rows sorted by all columns (`order by all`), and hashed; the digest
also keeps the row count and the column names with their types. Columns that record when or in which run a row was
written (`VOLATILE_COLUMNS`: load times, run ids, batch ids) differ between any two runs of the same data and are
left out, and so are tables that log runs rather than hold data (`VOLATILE_TABLES`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import duckdb

SCHEMAS = ("staging", "intermediate", "marts", "metrics", "forecast", "snapshots")
VOLATILE_COLUMNS = frozenset(
    {
        "_loaded_at",
        "_batch_id",
        "loaded_at",
        "run_id",
        "computed_at",
        "generated_at",
        "written_at",
        "_dbt_updated_at",
        "dbt_updated_at",
        "dbt_valid_from",
        "dbt_valid_to",
        "dbt_scd_id",
        "forecast_run_id",
        "forecast_generated_at",
        "first_loaded_at",
        "last_loaded_at",
        "batch_id",
        "started_at",
        "finished_at",
        "ingest_run",
        "held_at",
    }
)
VOLATILE_TABLES = frozenset({"metric_runs"})
JSON_ROW_COLUMNS = frozenset({"row_data"})
"""Columns holding a whole raw row as JSON, lineage included: digested without the row's volatile keys."""
JSON_VOLATILE_PATCH = json.dumps(dict.fromkeys(sorted(VOLATILE_COLUMNS)))


def digest(warehouse: Path, schemas: tuple[str, ...] = SCHEMAS) -> dict[str, dict]:
    out: dict[str, dict] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con, tempfile.TemporaryDirectory() as scratch:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in "
            f"({', '.join(repr(s) for s in schemas)}) order by 1, 2"
        ).fetchall()
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where not internal and schema_name in "
            f"({', '.join(repr(s) for s in schemas)}) order by 1, 2"
        ).fetchall()
        for schema, table in [*tables, *views]:
            if table in VOLATILE_TABLES:
                continue
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, table],
            ).fetchall()
            kept = [(name, kind) for name, kind in columns if name.lower() not in VOLATILE_COLUMNS]
            if not kept:
                continue
            select = ", ".join(
                f"json_merge_patch(\"{name}\", '{JSON_VOLATILE_PATCH}')" if name in JSON_ROW_COLUMNS else f'"{name}"'
                for name, _ in kept
            )
            csv = Path(scratch) / f"{schema}.{table}.csv"
            con.execute(f'copy (select {select} from "{schema}"."{table}" order by all) to \'{csv}\' (header)')
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]  # type: ignore[index]
            out[f"{schema}.{table}"] = {
                "rows": rows,
                "columns": [f"{name} {kind}" for name, kind in kept],
                "left_out": sorted(name for name, _ in columns if name.lower() in VOLATILE_COLUMNS),
                "sha256": hashlib.sha256(csv.read_bytes()).hexdigest(),
            }
    return out


def compare(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    problems = [f"{name}: only before" for name in sorted(before.keys() - after.keys())]
    problems += [f"{name}: only after" for name in sorted(after.keys() - before.keys())]
    for name in sorted(before.keys() & after.keys()):
        old, new = before[name], after[name]
        for field in ("rows", "columns", "sha256"):
            if old[field] != new[field]:
                problems.append(f"{name}: {field} differs ({old[field]!r} -> {new[field]!r})")
                break
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="a warehouse file, or with --compare two digest files")
    parser.add_argument("--compare", action="store_true", help="compare two digests; exit 1 if any table differs")
    parser.add_argument(
        "--schemas", default=",".join(SCHEMAS), help=f"comma-separated schemas to digest (default {','.join(SCHEMAS)})"
    )
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(path.read_text(encoding="utf-8")) for path in args.paths)
        problems = compare(before, after)
        for problem in problems:
            print(problem)
        same = len(before.keys() & after.keys()) - len({p.split(":")[0] for p in problems if "differs" in p})
        print(f"{same} tables identical, {len(problems)} differences")
        return 1 if problems else 0
    (warehouse,) = args.paths
    json.dump(digest(warehouse, tuple(args.schemas.split(","))), sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
