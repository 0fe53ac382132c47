"""The Makefile: `make run` installs the runtime only, `make test` everything from empty caches, and a missing or
too old Python, Node.js or npm is named in one line, not a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path or os.environ["PATH"]}
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def dry_run(target: str) -> str:
    """The commands `make TARGET` would run on a fresh clone (-B: as if nothing were installed yet)."""
    result = make("-n", "-B", target)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_installs_the_runtime_without_test_tools_or_spark() -> None:
    commands = dry_run("run")
    syncs = [line for line in commands.splitlines() if "uv sync" in line and "--python" in line]
    assert syncs and all("--no-default-groups" in line for line in syncs), syncs
    assert "--all-groups" not in commands
    assert "npm ci" in commands and "check-lock.mjs" in commands


def test_make_test_installs_every_group_with_an_empty_uv_cache() -> None:
    commands = dry_run("test")
    syncs = [line for line in commands.splitlines() if "uv sync" in line and "--python" in line]
    assert syncs and all("--all-groups" in line for line in syncs), syncs
    # FRESH_CACHE is set for `make test`: uv gets a temporary cache directory, removed afterwards
    assert "FRESH_CACHE" not in commands
    assert any('if [ -n "1" ]; then cache=$(mktemp -d)' in line for line in commands.splitlines()), commands
    assert "python -m pytest" in commands


def test_the_prerequisites_pass_on_this_machine() -> None:
    result = make("prerequisites")
    assert result.returncode == 0, result.stderr


def test_a_missing_python_is_named_with_what_to_install() -> None:
    result = make("prerequisites", "PYTHON=python3-that-does-not-exist")
    assert result.returncode != 0
    assert "make: python3-that-does-not-exist not found. This project needs Python 3.11" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_too_old_npm_and_node_are_named(tmp_path: Path) -> None:
    real_node = shutil.which("node")
    assert real_node
    (tmp_path / "node").write_text(
        "#!/bin/sh\n"
        'case "$*" in *process.exit*) exit 1;; --version) echo v16.20.0; exit 0;; esac\n'
        f'exec {real_node} "$@"\n'
    )
    (tmp_path / "npm").write_text("#!/bin/sh\necho 6.14.0\n")
    for tool in ("node", "npm"):
        (tmp_path / tool).chmod(0o755)

    result = make("prerequisites", path=f"{tmp_path}:{os.environ['PATH']}")

    assert result.returncode != 0
    assert "make: node is v16.20.0, the report (Evidence 40) needs Node.js 18 or later" in result.stderr
    assert "make: npm is 6.14.0, reports/package-lock.json (lockfileVersion 3) needs npm 7 or later" in result.stderr
