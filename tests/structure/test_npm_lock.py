"""The report's npm lock installs on a machine with an empty cache, and its DuckDB is the Python side's.

`npm ci` stops with "npm error Invalid Version:" on a lock entry without a version, on every machine, unless a warm
~/.npm happens to hide it; `reports/scripts/check-lock.mjs` refuses such a lock before `npm ci` runs (Makefile,
`ensure_node_modules`). These tests run that check on the committed lock and on one broken by hand.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REPORTS_DIR = REPO_ROOT / "reports"
CHECK_LOCK = REPORTS_DIR / "scripts" / "check-lock.mjs"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def lock() -> dict:
    return json.loads((REPORTS_DIR / "package-lock.json").read_text(encoding="utf-8"))


def check_lock(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(CHECK_LOCK), str(path)], capture_output=True, text=True, timeout=60)


def test_every_entry_of_the_committed_lock_has_a_version() -> None:
    result = check_lock(REPORTS_DIR / "package-lock.json")
    assert result.returncode == 0, result.stderr
    missing = [name for name, entry in lock()["packages"].items() if name and not entry.get("version")]
    assert missing == []


def test_a_lock_entry_without_a_version_is_refused_by_name(tmp_path: Path) -> None:
    broken = lock()
    packages = broken["packages"]
    packages["node_modules/@duckdb/node-bindings-win32-x64"] = {"optional": True}
    del packages["node_modules/rollup"]["version"]
    (tmp_path / "package-lock.json").write_text(json.dumps(broken), encoding="utf-8")

    result = check_lock(tmp_path / "package-lock.json")

    assert result.returncode == 1
    assert "node_modules/@duckdb/node-bindings-win32-x64: no version (optional)" in result.stderr
    assert "node_modules/rollup: no version" in result.stderr
    assert "npm run lock" in result.stderr


def test_the_makefile_checks_the_lock_and_installs_with_an_empty_npm_cache() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("reports/node_modules/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "node reports/scripts/check-lock.mjs" in recipe
    assert re.search(r"npm ci [^\n]*--cache \"\$\$cache\"", recipe), recipe
    assert "mktemp -d" in recipe


def test_every_platform_build_of_duckdb_is_locked_at_the_bindings_version() -> None:
    """node-bindings lists one optional package per platform; each must be in the lock, at its exact version."""
    packages = lock()["packages"]
    bindings = packages["node_modules/@duckdb/node-bindings"]
    platforms = bindings["optionalDependencies"]
    assert len(platforms) >= 5, platforms
    for name, wanted in platforms.items():
        entry = packages.get(f"node_modules/{name}") or packages.get(
            f"node_modules/@duckdb/node-bindings/node_modules/{name}"
        )
        assert entry is not None, f"{name} is not in the lock"
        assert entry.get("version") == wanted == bindings["version"], (name, entry)


def test_the_node_duckdb_client_is_the_python_duckdb_release() -> None:
    """Evidence's node-api must read the warehouse files Python duckdb writes: the same DuckDB release on both sides
    (node-api's `1.4.4-r.3` is DuckDB 1.4.4, revision 3 of its Node bindings). The file itself is opened by node in
    tests/report/test_duckdb_file_format.py."""
    pin = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    python_duckdb = next(dep.split("==", 1)[1] for dep in pin if dep.startswith("duckdb=="))
    uv_lock = tomllib.loads((REPO_ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {package["name"]: package["version"] for package in uv_lock["package"]}
    assert locked["duckdb"] == python_duckdb

    packages = lock()["packages"]
    node_api = packages["node_modules/@duckdb/node-api"]["version"]
    assert node_api.split("-", 1)[0] == python_duckdb
    assert packages["node_modules/@duckdb/node-bindings"]["version"] == node_api
    package_json = json.loads((REPORTS_DIR / "package.json").read_text(encoding="utf-8"))
    assert package_json["dependencies"]["@duckdb/node-api"] == node_api
    # @evidence-dev/duckdb asks for ^1.4.2-r.1, which no other prerelease satisfies: the override makes it ours
    assert package_json["overrides"]["@duckdb/node-api"] == "$@duckdb/node-api"
    evidence_duckdb = packages["node_modules/@evidence-dev/duckdb"]
    assert "node_modules/@evidence-dev/duckdb/node_modules/@duckdb/node-api" not in packages, evidence_duckdb
