"""No module of `orchestration/` does I/O when it is imported: importing one reads no file (not the dbt manifest, not a
suite's JSON), writes none, runs no process (`dbt parse`, `prepare_if_dev`), opens no socket (no simulator starts),
opens no warehouse and builds no Dagster Definitions. The code location is the lazily loaded `@dg.definitions`
function `orchestration.definitions.defs`; everything that needs the manifest is built by a function it calls.

So every module imports on a fresh clone (no `target/`), and any test directory passes when run alone.

The check runs in a fresh interpreter with the I/O entry points replaced by recorders that refuse: a call counts
when the innermost module body on the stack is one of `orchestration/` (what a third-party library does while it
imports itself is its own business). `DAGSTER_IS_DEV_CLI` is set, as under `dagster dev`, so that a
`prepare_if_dev()` at import would run `dbt parse` and be caught.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import builtins, importlib, io, json, os, pathlib, socket, subprocess, sys, traceback, zoneinfo

PACKAGE_DIR = pathlib.Path(sys.argv[1]).resolve() / "orchestration"
calls = []
TIME_ZONE_DATA = list(zoneinfo.TZPATH)
try:
    import tzdata

    TIME_ZONE_DATA.append(os.path.dirname(tzdata.__file__))
except ImportError:
    pass


class ImportTimeIO(RuntimeError):
    pass


def importing_module():
    # the innermost module body on the stack: the module being imported, if it is one of orchestration/
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "<module>":
            path = pathlib.Path(frame.f_code.co_filename).resolve()
            if path.is_relative_to(PACKAGE_DIR):
                return path.relative_to(PACKAGE_DIR.parent).as_posix(), frame.f_lineno
            return None
        frame = frame.f_back
    return None


def platform_data(args):
    # the time zone database (what `ZoneInfo("Asia/Shanghai")` reads) is part of the platform, like the stdlib
    if not args or not isinstance(args[0], (str, os.PathLike)):
        return False
    path = os.path.abspath(os.fspath(args[0]))
    return any(path.startswith(os.path.join(os.path.abspath(d), "")) for d in TIME_ZONE_DATA)


def refuse(what, original):
    def recorder(*args, **kwargs):
        where = importing_module()
        if where is None or platform_data(args):
            return original(*args, **kwargs)
        shown = ", ".join(repr(a)[:160] for a in args if not isinstance(a, (socket.socket, subprocess.Popen)))
        calls.append(f"{where[0]}:{where[1]}: {what}({shown})")
        raise ImportTimeIO(f"{what} while importing {where[0]}")
    return recorder


def patch(owner, name, what):
    setattr(owner, name, refuse(what, getattr(owner, name)))


patch(builtins, "open", "open")
patch(io, "open", "io.open")
patch(os, "open", "os.open")
patch(os, "mkdir", "os.mkdir")
patch(os, "system", "os.system")
patch(subprocess.Popen, "__init__", "subprocess.Popen")
patch(socket.socket, "bind", "socket.bind")
patch(socket.socket, "connect", "socket.connect")
import duckdb
patch(duckdb, "connect", "duckdb.connect")

sys.path.insert(0, str(PACKAGE_DIR.parent))
names = sorted(
    ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts).removesuffix(".__init__")
    for path in PACKAGE_DIR.rglob("*.py")
)
failures = {}
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failures[name] = "".join(traceback.format_exception_only(exc)).strip()

import dagster as dg

definitions = sorted(
    f"{module_name}.{attribute}"
    for module_name, module in sys.modules.items()
    if module_name.split(".")[0] == "orchestration"
    for attribute, value in vars(module).items()
    if isinstance(value, dg.Definitions)
)
print(json.dumps({"modules": names, "calls": calls, "failures": failures, "definitions": definitions}))
"""


@pytest.fixture(scope="module")
def probe() -> dict:
    env = {
        **os.environ,
        "DAGSTER_IS_DEV_CLI": "1",
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_probe_imports_every_module_of_the_package(probe: dict) -> None:
    modules = set(probe["modules"])
    assert {"orchestration.definitions", "orchestration.transform.dbt", "orchestration.quality.checks"} <= modules
    assert "orchestration.demo_data.simulators.demo" in modules
    assert len(modules) == len(list((ROOT / "orchestration").rglob("*.py")))


def test_importing_a_module_reads_no_file_runs_no_process_and_starts_no_server(probe: dict) -> None:
    assert probe["calls"] == [], "I/O at import (module:line: call):\n" + "\n".join(probe["calls"])


def test_every_module_imports_without_the_dbt_manifest(probe: dict) -> None:
    assert probe["failures"] == {}, "\n".join(f"{name}: {error}" for name, error in probe["failures"].items())


def test_no_module_holds_built_definitions(probe: dict) -> None:
    """The code location is a `@dg.definitions` function, built when Dagster loads it, not at import."""
    assert probe["definitions"] == []
