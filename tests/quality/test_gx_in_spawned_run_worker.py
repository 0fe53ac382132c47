"""The quality gates run in the processes Dagster's code server spawns for runs launched by the daemon or the UI
(`make serve`, `make dev`): a multiprocessing spawn child whose `__main__` has no `__file__`. With pyspark installed
(the `spark` group), a plain `import great_expectations` there exits the process (pyspark takes it for a doctest
run); `_import_great_expectations` imports it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT

CHILD = """
import sys

def child(queue, guarded):
    sys.path.insert(0, {root!r})
    if guarded:
        from orchestration.quality.great_expectations import _import_great_expectations
        gx = _import_great_expectations()
    else:
        import great_expectations as gx
    queue.put((gx.__name__, hasattr(sys.modules["__main__"], "__file__")))
"""
PARENT = """
import multiprocessing, sys
from spawnchild import child

if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")  # what Dagster's code server uses for each run
    guarded = sys.argv[1] == "guarded"
    queue = context.Queue()
    process = context.Process(target=child, args=(queue, guarded))
    process.start()
    process.join(300)
    print("RESULT", process.exitcode, queue.get(timeout=5) if not queue.empty() else None)
"""


def spawn(tmp_path: Path, mode: str) -> str:
    (tmp_path / "spawnchild.py").write_text(CHILD.format(root=str(PROJECT_ROOT)))
    (tmp_path / "spawnparent").mkdir(exist_ok=True)
    (tmp_path / "spawnparent" / "__main__.py").write_text(PARENT)
    result = subprocess.run(  # run with -m, as the code server is (`python -m dagster api grpc`)
        [sys.executable, "-m", "spawnparent", mode],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "GX_ANALYTICS_ENABLED": "false", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    return next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason="pyspark (the spark group) is not installed")
def test_great_expectations_imports_in_a_spawned_run_worker_with_pyspark_installed(tmp_path: Path) -> None:
    assert spawn(tmp_path, "plain") == "RESULT 0 None", "without the guard the child exits before GX is imported"
    assert spawn(tmp_path, "guarded") == "RESULT 0 ('great_expectations', False)"
