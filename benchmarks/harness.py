"""What every benchmark here shares: run a step in a fresh process and measure it, describe the machine and commit,
and append a row to a Markdown results table.

Wall-clock seconds on a shared machine vary with what else runs, so each measurement also carries the CPU seconds
(user + system, of the process and of every child it waited for) and the 1-minute load average around it.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_MEASURE = """
import resource, sys
# only as the main program: without the guard every dbt step ran twice, one build after the other in the same
# process (dbt's resource report counted both), as when multiprocessing re-runs a main script as `__mp_main__`;
# which library triggers it was not found, the guard stops it
if __name__ == "__main__":
    sys.path.insert(0, {root!r})
    exec(compile({code!r}, {name!r}, 'exec'))
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print()
    print('MEASURED', max(own.ru_maxrss, children.ru_maxrss),
          own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime)
"""


@dataclass(frozen=True)
class Measurement:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    """The larger of the process's own peak and its largest child's (e.g. node for Evidence)."""
    load_before: float
    load_after: float
    output: str
    """What the step printed before the measurement line."""


def measure(name: str, code: str) -> Measurement:
    """Run Python `code` in a fresh interpreter (the repo on sys.path) and measure it."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    wrapper = _MEASURE.format(root=str(ROOT), code=code, name=f"<{name}>")
    # a script file, not `python -c`: with pyspark installed, importing Great Expectations imports pyspark, whose
    # connect module takes a `__main__` without a file for a doctest run and exits the process with status 0
    with tempfile.TemporaryDirectory(prefix="benchmark-") as scratch:
        script = Path(scratch) / f"{name}.py"
        script.write_text(wrapper, encoding="utf-8")
        done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"benchmark step {name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    output, _, measured = done.stdout.rpartition("MEASURED ")
    peak_kb, cpu_seconds = measured.split()
    return Measurement(
        seconds=seconds,
        cpu_seconds=float(cpu_seconds),
        peak_rss_mb=int(peak_kb) / 1024,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        output=output.strip(),
    )


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {memory_gib:.0f} GiB"


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return done.stdout.strip() or "unknown"


def today() -> str:
    return dt.date.today().isoformat()


def append_row(results: Path, title: str, intro: str, columns: Sequence[str], row: Sequence[object]) -> None:
    """Append one row to a Markdown table, writing the title, intro and header first if the file is new."""
    results.parent.mkdir(parents=True, exist_ok=True)
    if not results.exists():
        results.write_text(
            f"# {title}\n\n{intro}\n\n| {' | '.join(columns)} |\n|{'---|' * len(columns)}\n", encoding="utf-8"
        )
    with results.open("a", encoding="utf-8") as handle:
        handle.write(f"| {' | '.join(str(cell) for cell in row)} |\n")
