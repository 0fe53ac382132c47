"""Write–audit–publish for the warehouse file, and the lock that keeps two runs off one warehouse.

DuckDB keeps a warehouse in one file with one writer, so the build happens in a copy of it (docs/publishing.md):

1. Ingest writes the raw tables, `raw.ingest_log` and `raw.quarantine`, and the raw quality gates record their
   results, in the **published** file, as before: they describe what happened and stay whatever the run's outcome.
2. `open_build` copies the published file to the **build file** `<dir>/.<name>.build/<name>` (same file name, so
   the DuckDB catalog name, which views and MetricFlow's SQL spell out, stays the same). A leftover of a killed
   run is discarded first. dbt (staging, intermediate, marts, seeds), the metric tables and every gate on them
   work there; readers of the published file see none of it.
3. `publish`, only when every blocking check and dbt test passed: the results the gates recorded in the published
   file meanwhile (schema `quality`) are copied into the build file, which is checkpointed, flushed to disk and
   moved onto the published file with one `os.replace` (atomic on POSIX). A reader that had the old file open keeps
   reading the old file; the next one opens the new.

A failed run leaves the build file behind (the published file is untouched); the next run, or the end of
`python -m orchestration.run`, discards it.

`run_lock` is an exclusive `flock` on `<dir>/.<name>.lock`: a second run on the same warehouse is refused at once
(`WarehouseBusy`, naming the run that holds it) instead of interleaving its writes. The operating system releases
the lock when the holding process ends, even after `kill -9`. It is re-entrant within a process, so
`python -m orchestration.run` can hold it around the whole job while the job's resource takes it too.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

logger = logging.getLogger(__name__)

RECORD_SCHEMAS = ("quality",)
"""Schemas a run writes to the published file while the build is open (the quality gates' results): carried into
the build file at publish, so a published warehouse holds every result, and a failed run's results stay too."""


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse's run lock."""


def build_dir(published: Path) -> Path:
    return published.parent / f".{published.name}.build"


def build_file(published: Path) -> Path:
    """Where a run builds: the same file name in a hidden folder beside the published file."""
    return build_dir(published) / published.name


def lock_file(published: Path) -> Path:
    return published.parent / f".{published.name}.lock"


def _key(published: Path) -> Path:
    return Path(os.path.abspath(published))


_guard = threading.Lock()
_held: dict[Path, tuple[int, int]] = {}
"""Warehouse -> (file descriptor of its lock file, how many times this process took it)."""
_open_builds: dict[Path, Path] = {}
"""Warehouse -> its build file, while a build is open in this process."""


def acquire(published: Path, holder: str) -> None:
    """Take the warehouse's run lock or raise WarehouseBusy at once; a process that holds it may take it again."""
    key = _key(published)
    with _guard:
        if key in _held:
            fd, count = _held[key]
            _held[key] = (fd, count + 1)
            return
        key.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_file(key), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise WarehouseBusy(
                f"the warehouse {key} is in use by another run ({other}); this run was refused before it changed "
                "anything. Start it again when that run has finished."
            ) from None
        stamp = f"{holder}, pid {os.getpid()}, since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
        os.ftruncate(fd, 0)
        os.pwrite(fd, stamp.encode("utf-8"), 0)
        _held[key] = (fd, 1)


def release(published: Path) -> None:
    key = _key(published)
    with _guard:
        if key not in _held:
            return
        fd, count = _held[key]
        if count > 1:
            _held[key] = (fd, count - 1)
            return
        del _held[key]
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextmanager
def run_lock(published: Path, holder: str) -> Iterator[None]:
    acquire(published, holder)
    try:
        yield
    finally:
        release(published)


def discard_build(published: Path) -> bool:
    """Remove a build file that was not published (a failed or killed run's). Returns True if there was one."""
    key = _key(published)
    _open_builds.pop(key, None)
    folder = build_dir(key)
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    logger.info("discarded the unpublished build %s", folder)
    return True


def _checkpoint(path: Path) -> None:
    """Write the WAL into the file, so the file alone is the whole database. Without a WAL there is nothing to do,
    and the file is not opened for writing (a reader in another process, e.g. an analyst's read-only connection,
    would refuse a writer)."""
    if not path.with_name(path.name + ".wal").exists():
        return
    with duckdb.connect(str(path)) as con:
        con.execute("checkpoint")


def open_build(published: Path) -> Path:
    """Start a build: discard any leftover, copy the published file to the build file; returns the build file."""
    key = _key(published)
    discard_build(key)
    target = build_file(key)
    target.parent.mkdir(parents=True)
    if key.exists():
        _checkpoint(key)
        shutil.copyfile(key, target)
    _open_builds[key] = target
    logger.info("building in %s (a copy of %s)", target, key)
    return target


def current_file(published: Path) -> Path:
    """The file a run works on: the build file while a build is open in this process, else the published file."""
    key = _key(published)
    return _open_builds.get(key, key)


def build_is_open(published: Path) -> bool:
    return _key(published) in _open_builds


def _copy_records(build: Path, published: Path) -> None:
    """The record schemas of the published file, as they are now, into the build file."""
    _checkpoint(published)
    with duckdb.connect(str(build)) as con:
        con.execute("checkpoint")
        escaped = str(published).replace("'", "''")
        con.execute(f"attach '{escaped}' as published_records (read_only)")
        for schema in RECORD_SCHEMAS:
            tables = con.execute(
                "select table_name from information_schema.tables where table_catalog = 'published_records' "
                "and table_schema = ? and table_type = 'BASE TABLE' order by table_name",
                [schema],
            ).fetchall()
            if tables:
                con.execute(f'create schema if not exists "{schema}"')
            for (table,) in tables:
                con.execute(
                    f'create or replace table "{schema}"."{table}" as '
                    f'select * from published_records."{schema}"."{table}"'
                )
        con.execute("detach published_records")
        con.execute("checkpoint")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(published: Path) -> Path:
    """Make the open build the published warehouse in one step (module docstring); returns the published file."""
    key = _key(published)
    build = _open_builds.get(key)
    if build is None or not build.exists():
        raise RuntimeError(f"no build of {key} is open in this process: nothing to publish")
    if key.exists():
        _copy_records(build, key)
    else:
        with duckdb.connect(str(build)) as con:
            con.execute("checkpoint")
    wal = build.with_name(build.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} is still there after a checkpoint: not publishing a file without its WAL")
    _fsync(build)
    os.replace(build, key)
    _fsync(key.parent)
    del _open_builds[key]
    shutil.rmtree(build_dir(key), ignore_errors=True)
    logger.info("published %s", key)
    return key


@contextmanager
def warehouse_path_environment(path: Path) -> Iterator[None]:
    """WAREHOUSE_PATH (which profiles.yml reads) pointing at `path` for what starts inside: dbt, MetricFlow."""
    saved = os.environ.get("WAREHOUSE_PATH")
    os.environ["WAREHOUSE_PATH"] = str(path)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("WAREHOUSE_PATH", None)
        else:
            os.environ["WAREHOUSE_PATH"] = saved
