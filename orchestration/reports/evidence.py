"""Build the Evidence report (`reports/`) from Python: install its node modules, run `sources`, run `build`.

The Evidence project reads one DuckDB file, `reports/sources/warehouse/report.duckdb` (written by the Dagster
asset `report_database`). `build_report()` turns it into a static site that opens without internet, built in
`reports/.build-workspace/` and published by pointing the link `reports/build` at it in one step (`publish_site`):
the Node side of Evidence runs native DuckDB through the project's offline client (installed into `node_modules` by
the npm `postinstall` script, see `reports/offline-duckdb-client/`).

Settings (environment variables, defaults in brackets):
- REPORTS_DIR [reports]: the Evidence project (via `orchestration.settings.Settings`).
- EVIDENCE_INSTALL_TIMEOUT [900], EVIDENCE_SOURCES_TIMEOUT [300], EVIDENCE_BUILD_TIMEOUT [900]: seconds per step.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE_NAME = "warehouse"
"""The Evidence source (`reports/sources/warehouse/`) that reads the report database."""

REPORT_DATABASE_NAME = "report.duckdb"

SYSTEM_ROUTES = frozenset({"api", "settings", "explore", "_app", "data"})
"""Top-level folders of the built site that are Evidence's own, not report pages."""

INSTALL_STAMP = ".tmall-analytics-lock.sha256"
"""File in node_modules recording which package.json + package-lock.json it was installed from (written by
the npm postinstall script, `reports/scripts/install-offline-duckdb-client.mjs`, with the same digest)."""

OFFLINE_CLIENT_SOURCE = Path("offline-duckdb-client")
OFFLINE_CLIENT_TARGET = Path("node_modules/@evidence-dev/universal-sql/src/client-duckdb")
OFFLINE_CLIENT_FILES = ("node.js", "duckdb-node-api-worker.cjs", "browser.js")
CSV_DOWNLOAD_SOURCE = Path("csv-download")
CSV_DOWNLOAD_TARGET = Path("node_modules/@evidence-dev/core-components/dist/unsorted/ui")
CSV_DOWNLOAD_FILES = ("DownloadData.svelte",)
"""The page download button's CSV writer, with formula cells neutralised (installed by the same script)."""

CORRUPT_CACHE_MARKERS = ("Unexpected end of JSON input", "Unexpected end of input")
"""Errors a killed `evidence sources` leaves behind in `.evidence/meta`; clearing the cache fixes them."""


class EvidenceBuildError(RuntimeError):
    """One step of the report build (install, sources or build) failed or ran out of time."""

    def __init__(
        self,
        step: str,
        message: str,
        *,
        returncode: int | None = None,
        timed_out: bool = False,
        stdout: str = "",
        stderr: str = "",
    ) -> None:
        self.step = step
        self.returncode = returncode
        self.timed_out = timed_out
        self.stdout = stdout
        self.stderr = stderr
        tail = self.output_tail(20)
        super().__init__(f"Evidence step '{step}' {message}" + (f"; last output:\n{tail}" if tail else ""))

    def output_tail(self, lines: int = 40) -> str:
        text = "\n".join(part for part in (self.stdout, self.stderr) if part)
        return "\n".join(text.splitlines()[-lines:])


@dataclass(frozen=True)
class ReportBuild:
    """What `build_report` produced."""

    build_dir: Path
    duration_seconds: float
    size_bytes: int
    page_count: int
    step_seconds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    step: str
    seconds: float
    stdout: str
    stderr: str


def default_reports_dir() -> Path:
    from orchestration.settings import Settings

    return Settings.from_env().reports_dir


def _timeout(variable: str, default: float) -> float:
    return float(os.environ.get(variable, default))


def evidence_environment(reports_dir: Path, database: Path | None = None) -> dict[str, str]:
    """The environment for npm/Evidence: telemetry off, no update checks, optionally another report database."""
    env = dict(os.environ)
    env.update(
        {
            "SEND_ANONYMOUS_USAGE_STATS": "no",
            "NPM_CONFIG_UPDATE_NOTIFIER": "false",
            "NPM_CONFIG_FUND": "false",
            "NPM_CONFIG_AUDIT": "false",
            "NO_COLOR": "1",
            "FORCE_COLOR": "0",
        }
    )
    if database is not None:
        # Evidence joins `filename` to sources/<name>/, so an absolute path does not work: pass a relative one.
        source_dir = (reports_dir / "sources" / SOURCE_NAME).resolve()
        env[f"EVIDENCE_SOURCE__{SOURCE_NAME}__filename"] = os.path.relpath(database.resolve(), source_dir)
    return env


def _run_step(step: str, command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float) -> StepResult:
    """Run one command in its own process group; on timeout kill the whole group (npm -> sh -> node)."""
    logger.info("evidence %s: %s (timeout %.0fs)", step, " ".join(command), timeout)
    started = time.monotonic()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        raise EvidenceBuildError(
            step,
            f"did not finish within {timeout:.0f}s (killed)",
            timed_out=True,
            stdout=stdout,
            stderr=stderr,
        ) from None
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise EvidenceBuildError(
            step,
            f"failed with exit code {process.returncode} after {seconds:.1f}s",
            returncode=process.returncode,
            stdout=stdout,
            stderr=stderr,
        )
    logger.info("evidence %s finished in %.1fs", step, seconds)
    logger.debug("evidence %s output:\n%s", step, stdout)
    return StepResult(step=step, seconds=seconds, stdout=stdout, stderr=stderr)


def _kill_group(process: subprocess.Popen[str]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def _lock_digest(reports_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update(name.encode())
        digest.update((reports_dir / name).read_bytes())
    return digest.hexdigest()


def offline_client_installed(reports_dir: Path) -> bool:
    """True when node_modules carries the project's offline DuckDB client and CSV download, byte for byte."""
    for source_dir, target_dir, names in (
        (OFFLINE_CLIENT_SOURCE, OFFLINE_CLIENT_TARGET, OFFLINE_CLIENT_FILES),
        (CSV_DOWNLOAD_SOURCE, CSV_DOWNLOAD_TARGET, CSV_DOWNLOAD_FILES),
    ):
        for name in names:
            source = reports_dir / source_dir / name
            target = reports_dir / target_dir / name
            if not target.is_file() or target.read_bytes() != source.read_bytes():
                return False
    return True


def ensure_node_modules(reports_dir: Path | None = None, *, timeout: float | None = None) -> bool:
    """`npm ci` when node_modules is missing or was installed from another lockfile. Returns True if it ran.

    Also re-applies the offline DuckDB client (the npm postinstall script) if node_modules lacks it.
    """
    reports_dir = (reports_dir or default_reports_dir()).resolve()
    timeout = timeout if timeout is not None else _timeout("EVIDENCE_INSTALL_TIMEOUT", 900)
    node_modules = reports_dir / "node_modules"
    stamp = node_modules / INSTALL_STAMP
    digest = _lock_digest(reports_dir)
    env = evidence_environment(reports_dir)

    installed = False
    if not node_modules.is_dir() or not stamp.is_file() or stamp.read_text().strip() != digest:
        logger.info("installing the report's node modules (npm ci, empty cache) in %s", reports_dir)
        # as `make install-report` does: refuse a lock npm ci cannot install anywhere, and install with an empty,
        # temporary cache, so what installs here is what the registry serves (reports/README.md, Lockfile)
        _run_step("install", ["node", "scripts/check-lock.mjs"], cwd=reports_dir, env=env, timeout=60)
        with tempfile.TemporaryDirectory(prefix="npm-cache-") as cache:
            _run_step(
                "install",
                ["npm", "ci", "--no-audit", "--no-fund", "--cache", cache],
                cwd=reports_dir,
                env=env,
                timeout=timeout,
            )
        stamp.write_text(digest + "\n")
        installed = True

    if not offline_client_installed(reports_dir):
        logger.info("re-applying the offline DuckDB client to node_modules")
        _run_step(
            "install",
            ["node", "scripts/install-offline-duckdb-client.mjs"],
            cwd=reports_dir,
            env=env,
            timeout=120,
        )
        if not offline_client_installed(reports_dir):
            raise EvidenceBuildError("install", "could not install the offline DuckDB client into node_modules")
    return installed


def clear_evidence_cache(reports_dir: Path) -> None:
    """Remove `.evidence/meta` (source query cache), which a killed `evidence sources` can leave corrupt."""
    meta = reports_dir / ".evidence" / "meta"
    if meta.exists():
        logger.warning("clearing Evidence's source cache %s", meta)
        shutil.rmtree(meta, ignore_errors=True)


def _looks_like_corrupt_cache(error: EvidenceBuildError) -> bool:
    text = error.stdout + error.stderr
    return any(marker in text for marker in CORRUPT_CACHE_MARKERS)


def run_sources(reports_dir: Path, *, database: Path | None = None, timeout: float | None = None) -> StepResult:
    """`npm run sources`: query the report database and write the Parquet files the pages read."""
    timeout = timeout if timeout is not None else _timeout("EVIDENCE_SOURCES_TIMEOUT", 300)
    env = evidence_environment(reports_dir, database)
    command = ["npm", "run", "--silent", "sources"]
    try:
        return _run_step("sources", command, cwd=reports_dir, env=env, timeout=timeout)
    except EvidenceBuildError as error:
        if error.timed_out:
            clear_evidence_cache(reports_dir)  # the kill may have left it half-written
            raise
        if not _looks_like_corrupt_cache(error):
            raise
        logger.warning("evidence sources failed on a corrupt cache; clearing it and retrying once")
        clear_evidence_cache(reports_dir)
        return _run_step("sources", command, cwd=reports_dir, env=env, timeout=timeout)


def run_build(reports_dir: Path, *, timeout: float | None = None) -> StepResult:
    """`npm run build`: prerender every page (and its query results) into `build/`."""
    timeout = timeout if timeout is not None else _timeout("EVIDENCE_BUILD_TIMEOUT", 900)
    env = evidence_environment(reports_dir)
    return _run_step("build", ["npm", "run", "--silent", "build"], cwd=reports_dir, env=env, timeout=timeout)


WORKSPACE = ".build-workspace"
"""The folder beside the Evidence project where a build runs (a copy of the project's files, its node_modules
linked), so the published `build` is never what Evidence is writing."""
SITES = ".sites"
"""Finished sites; `build` is a symbolic link to the published one."""
PROJECT_FILES = ("package.json", "package-lock.json", "evidence.config.yaml", "evidence.settings.json")
PROJECT_FOLDERS = ("pages", "sources", "components")


def prepare_workspace(reports_dir: Path) -> Path:
    """The build workspace with the project's current pages, sources and settings (not the report database: the
    build reads it where it is), node_modules linked, and Evidence's cache (`.evidence`) kept between builds."""
    workspace = reports_dir / WORKSPACE
    workspace.mkdir(exist_ok=True)
    for name in PROJECT_FILES:
        if (reports_dir / name).is_file():
            shutil.copy2(reports_dir / name, workspace / name)
    for name in PROJECT_FOLDERS:
        shutil.rmtree(workspace / name, ignore_errors=True)
        if (reports_dir / name).is_dir():
            shutil.copytree(
                reports_dir / name, workspace / name, ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.wal")
            )
    link = workspace / "node_modules"
    if not link.is_symlink():
        shutil.rmtree(link, ignore_errors=True)
        link.symlink_to(os.path.relpath((reports_dir / "node_modules").resolve(), workspace), target_is_directory=True)
    shutil.rmtree(workspace / "build", ignore_errors=True)
    return workspace


def publish_site(reports_dir: Path, site: Path) -> Path:
    """Make `site` the published report `<reports_dir>/build` in one step, and remove the sites it replaced.

    `build` is a symbolic link into `.sites/`: the finished site is moved there, a new link is made beside `build`
    and renamed onto it (`os.replace`, atomic), so a reader finds the old site or the new one, never a missing or
    half-built one. A real `build` folder (from before) is swapped with the link in one step as well
    (`renameat2(RENAME_EXCHANGE)` on Linux)."""
    sites = reports_dir / SITES
    sites.mkdir(exist_ok=True)
    name = f"site-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    site.rename(sites / name)
    build_dir = reports_dir / "build"
    link = reports_dir / f".build-{name}"
    link.symlink_to(Path(SITES) / name, target_is_directory=True)
    if build_dir.is_dir() and not build_dir.is_symlink():
        _exchange(link, build_dir)  # `link` now names the old folder
        shutil.rmtree(link)
    else:
        os.replace(link, build_dir)
    for old in sites.iterdir():
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(reports_dir / "build.previous", ignore_errors=True)  # left by the builds before this one
    return build_dir


def _exchange(first: Path, second: Path) -> None:
    """Swap two paths atomically (Linux `renameat2` with RENAME_EXCHANGE); elsewhere two renames (a brief gap)."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, rename_exchange = -100, 2
        if hasattr(libc, "renameat2"):
            result = libc.renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
            if result == 0:
                return
            logger.warning("renameat2 failed (errno %d): swapping %s with two renames", ctypes.get_errno(), second)
    aside = second.with_name(second.name + ".swap")
    second.rename(aside)
    first.rename(second)
    aside.rename(first)


def count_pages(build_dir: Path) -> int:
    """Report pages in a built site: every index.html outside Evidence's own routes."""
    pages = 0
    for html in build_dir.rglob("index.html"):
        relative = html.relative_to(build_dir)
        if relative.parts[0] in SYSTEM_ROUTES:
            continue
        pages += 1
    return pages


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_report(
    reports_dir: Path | None = None,
    *,
    database: Path | None = None,
    install: bool = True,
    sources_timeout: float | None = None,
    build_timeout: float | None = None,
) -> ReportBuild:
    """Build the static report: (install node modules), `evidence sources`, `evidence build`.

    `database` defaults to `<reports_dir>/sources/warehouse/report.duckdb`; another file can be given (tests).
    Raises EvidenceBuildError naming the step that failed or timed out.
    """
    reports_dir = (reports_dir or default_reports_dir()).resolve()
    database_file = database or reports_dir / "sources" / SOURCE_NAME / REPORT_DATABASE_NAME
    if not database_file.is_file():
        raise EvidenceBuildError("sources", f"cannot start: the report database {database_file} does not exist")

    started = time.monotonic()
    steps: dict[str, float] = {}
    if install:
        install_started = time.monotonic()
        ensure_node_modules(reports_dir)
        steps["install"] = time.monotonic() - install_started

    # Evidence writes its site to `./build` of the folder it runs in, so it runs in a workspace beside the project
    # and the published `build` (a symbolic link) is switched to the finished site in one step (publish_site).
    workspace = prepare_workspace(reports_dir)
    database_file = database_file.resolve()
    steps["sources"] = run_sources(workspace, database=database_file, timeout=sources_timeout).seconds
    steps["build"] = run_build(workspace, timeout=build_timeout).seconds
    if not (workspace / "build" / "index.html").is_file():
        raise EvidenceBuildError("build", f"finished but {workspace / 'build' / 'index.html'} is missing")
    build_dir = publish_site(reports_dir, workspace / "build")
    result = ReportBuild(
        build_dir=build_dir,
        duration_seconds=time.monotonic() - started,
        size_bytes=directory_size(build_dir),
        page_count=count_pages(build_dir),
        step_seconds=steps,
    )
    logger.info(
        "report built in %.1fs: %d page(s), %.1f MB in %s",
        result.duration_seconds,
        result.page_count,
        result.size_bytes / 1e6,
        build_dir,
    )
    return result
