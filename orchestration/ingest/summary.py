"""The landing part of the run summary: what the latest landing ingest quarantined and why, which rows are held back
with a quarantined order, which files were cut short, and every file that was not loaded, with its reason.

Read from `raw.ingest_log`, `raw.quarantine` and `raw.held_back`, so it describes the warehouse, not one process.
File names are quoted (`quote_name`): a newline in a name cannot split or forge a line of the summary.
"""

from __future__ import annotations

import duckdb

from orchestration.ingest.loader import RAW_SCHEMA, quote_name

SHOWN = 10
"""At most this many lines per section; the rest is counted."""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def _section(title: str, lines: list[str], total: int) -> list[str]:
    if not lines:
        return []
    more = [f"  ... and {total - len(lines)} more"] if total > len(lines) else []
    return [title, *lines, *more]


def landing_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Summary lines for the latest landing ingest run (empty when the warehouse has none)."""
    has_log = con.execute(
        "select count(*) from information_schema.columns where table_schema = ? and table_name = 'ingest_log' "
        "and column_name = 'ingest_run'",
        [RAW_SCHEMA],
    ).fetchone()[0]  # type: ignore[index]
    if not has_log:
        return []
    latest = con.execute(
        f"select ingest_run from {RAW_SCHEMA}.ingest_log where ingest_run is not null order by started_at desc limit 1"
    ).fetchone()
    if latest is None:
        return []
    run = latest[0]
    (loaded, not_loaded, rows_in, rows_loaded, quarantined, held) = con.execute(
        f"""select count(*) filter (where status = 'loaded'), count(*) filter (where status = 'not_loaded'),
            coalesce(sum(rows_in), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0),
            coalesce(sum(rows_held_back), 0)
            from {RAW_SCHEMA}.ingest_log where ingest_run = ?""",
        [run],
    ).fetchone()  # type: ignore[misc]
    lines = [
        f"Landing files (latest ingest): {loaded} loaded, {not_loaded} not loaded; rows in {rows_in:,} = "
        f"loaded {rows_loaded:,} + quarantined {quarantined:,} + held back {held:,}"
    ]
    reasons = _rows(
        con,
        f"""select q.dataset, q.reason, count(*), min(q._source_file), min(q._source_row_number),
                count(*) over ()
            from {RAW_SCHEMA}.quarantine q join {RAW_SCHEMA}.ingest_log l on q._batch_id = l.batch_id
            where l.ingest_run = ? group by q.dataset, q.reason order by count(*) desc, q.dataset, q.reason
            limit {SHOWN}""",
        [run],
    )
    lines += _section(
        "Quarantined rows (raw.quarantine), by reason:",
        [
            f"  {count:>8,}  raw.{dataset}: {reason} (e.g. {quote_name(file)} row {row})"
            for dataset, reason, count, file, row, _ in reasons
        ],
        reasons[0][-1] if reasons else 0,
    )
    held_rows = _rows(
        con,
        f"""select dataset, waiting_for, reason, count(*), string_agg(distinct _source_file, '\x1f'),
                list(_source_row_number order by _source_row_number), count(*) over ()
            from {RAW_SCHEMA}.held_back group by dataset, waiting_for, reason order by dataset, waiting_for
            limit {SHOWN}""",
        [],
    )
    lines += _section(
        "Held back with their quarantined order until a corrected export arrives (raw.held_back):",
        [
            f"  {count:>8,}  raw.{dataset} of {waiting_for}, "
            f"{', '.join(quote_name(f) for f in files.split(chr(31)))} row(s) {', '.join(map(str, row_numbers[:5]))}"
            f"{' ...' if len(row_numbers) > 5 else ''}: {reason}"
            for dataset, waiting_for, reason, count, files, row_numbers, _ in held_rows
        ],
        held_rows[0][-1] if held_rows else 0,
    )
    truncated = _rows(
        con,
        f"select source_file, truncated, count(*) over () from {RAW_SCHEMA}.ingest_log "
        f"where ingest_run = ? and truncated is not null order by source_file limit {SHOWN}",
        [run],
    )
    lines += _section(
        "Truncated files (cut short: re-export them):",
        [f"  {quote_name(file)}: {what}" for file, what, _ in truncated],
        truncated[0][-1] if truncated else 0,
    )
    skipped = _rows(
        con,
        f"select source_file, reason, count(*) over () from {RAW_SCHEMA}.ingest_log "
        f"where ingest_run = ? and status = 'not_loaded' order by source_file limit {SHOWN}",
        [run],
    )
    lines += _section(
        "Files not loaded:",
        [f"  {quote_name(file)}: {reason}" for file, reason, _ in skipped],
        skipped[0][-1] if skipped else 0,
    )
    return lines
