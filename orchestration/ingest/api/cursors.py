"""Sync state of the API sources: per source and shop, the modified time up to which everything is loaded.

The cursor is written in the same transaction as the window it covers, so it only ever moves past data that is
committed: a run that fails resumes from the last committed window.
"""

from __future__ import annotations

import datetime as dt

import duckdb

CURSOR_TABLE = "raw.api_cursors"


def ensure_cursor_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""create table if not exists {CURSOR_TABLE} (
            source varchar not null, shop varchar not null, fetched_until timestamp not null,
            updated_at timestamp not null)"""
    )


def read_cursor(con: duckdb.DuckDBPyConnection, source: str, shop: str) -> dt.datetime | None:
    """China-time modified timestamp up to which (exclusive) `source` of `shop` is loaded, or None."""
    row = con.execute(
        f"select max(fetched_until) from {CURSOR_TABLE} where source = ? and shop = ?", [source, shop]
    ).fetchone()
    return row[0] if row else None


def advance_cursor(con: duckdb.DuckDBPyConnection, source: str, shop: str, fetched_until: dt.datetime) -> None:
    """Move the cursor forward (never back). Call inside the window's transaction."""
    current = read_cursor(con, source, shop)
    if current is not None and current >= fetched_until:
        return
    con.execute(f"delete from {CURSOR_TABLE} where source = ? and shop = ?", [source, shop])
    con.execute(
        f"insert into {CURSOR_TABLE} values (?, ?, ?, ?)",
        [source, shop, fetched_until, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
