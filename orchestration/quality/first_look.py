"""A first look at a merchant's own landing folder: per file, what was recognised and what became of its rows.

`make run` prints it after the summary when `LANDING_DIR` names a folder of the merchant's own exports (not the demo
data): the dataset each file was recognised as, rows in / loaded / quarantined, the date range of its loaded rows and
its most frequent quarantine reasons. It reads only `raw.ingest_log`, `raw.quarantine` and the raw tables.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.settings import PROJECT_ROOT

DEMO_LANDING_DIR = PROJECT_ROOT / "data" / "landing"
DATE_COLUMNS = (
    "created_at",
    "ordered_at",
    "received_at",
    "snapshot_at",
    "traffic_date",
    "shipped_at",
    "modified_at",
)
"""The column that dates a raw row, the first of these its table has (the item report has none: its order does)."""
TOP_REASONS = 3


def is_own_landing(landing_dir, generated_demo_data: bool) -> bool:  # type: ignore[no-untyped-def]
    """A folder of the merchant's own exports: not the default demo folder, and no demo data generated into it."""
    return not generated_demo_data and landing_dir.resolve() != DEMO_LANDING_DIR.resolve()


def _date_range(con: duckdb.DuckDBPyConnection, dataset: str, batch_id: str) -> str:
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?",
            [dataset],
        ).fetchall()
    }
    column = next((c for c in DATE_COLUMNS if c in columns), None)
    if column is None:
        return "-"
    day = f"cast(try_strptime(split_part(replace(trim(\"{column}\"), '/', '-'), ' ', 1), '%Y-%m-%d') as date)"
    first, last = con.execute(
        f'select min({day}), max({day}) from raw."{dataset}" where _batch_id = ?', [batch_id]
    ).fetchone()  # type: ignore[misc]
    return f"{first} .. {last}" if first else "-"


def first_look(con: duckdb.DuckDBPyConnection) -> str:
    """The table, one line per file of the latest load of each file (a file loaded again shows once)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'ingest_log'"
    ).fetchone()[0]  # type: ignore[index]
    if not exists:
        return "First look at your files: nothing was loaded."
    files = con.execute(
        """select source_file, dataset, status, rows_in, rows_loaded, rows_quarantined, batch_id, duplicate_of
           from raw.ingest_log where source_file not like 'api:%'
           qualify row_number() over (partition by source_file order by finished_at desc) = 1
           order by source_file"""
    ).fetchall()
    lines = [
        "First look at your files (LANDING_DIR):",
        f"  {'file':<40} {'recognised as':<24} {'rows in':>8} {'loaded':>8} {'quarant.':>8}  dates",
    ]
    reasons_by_batch: dict[str, list[tuple[str, int]]] = {}
    for batch_id, reason, count in con.execute(
        """select _batch_id, reason, count(*) from raw.quarantine group by _batch_id, reason
           qualify row_number() over (partition by _batch_id order by count(*) desc, reason) <= ?""",
        [TOP_REASONS],
    ).fetchall():
        reasons_by_batch.setdefault(batch_id, []).append((reason, count))
    for source_file, dataset, status, rows_in, loaded, quarantined, batch_id, duplicate_of in files:
        known = dataset and status not in ("skipped", "unrecognised", "unknown")
        dates = _date_range(con, dataset, batch_id) if known and loaded else "-"
        recognised = dataset if status == "loaded" else f"{dataset or '?'} ({status})"
        if duplicate_of:
            recognised = f"{dataset} (copy of {duplicate_of})"
        lines.append(
            f"  {source_file:<40} {recognised:<24} {rows_in or 0:>8,} {loaded or 0:>8,} {quarantined or 0:>8,}  {dates}"
        )
        for reason, count in reasons_by_batch.get(batch_id, []):
            lines.append(f"      quarantined {count:,}x: {reason[:100]}")
    if not files:
        lines.append("  (no files were loaded)")
    return "\n".join(lines)


def first_look_of(warehouse_path: Path) -> str:
    """The first look at the warehouse file (read-only); says so when there is no warehouse yet."""
    if not warehouse_path.exists():
        return "First look at your files: no warehouse was written (see the failure above)."
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return first_look(con)
