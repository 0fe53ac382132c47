"""The `orchestration` package has no import circle and no import that runs up a layer (the layer order and the tool:
`tests/structure/import_graph.py`, `python -m tests.structure.import_graph`). Static: reads the source with `ast`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.structure.import_graph import LAYERS, analyse, render


@pytest.fixture(scope="module")
def report():
    return analyse()


def test_every_package_has_a_layer(report) -> None:
    assert not report.unplaced, f"put these packages of orchestration/ in a layer (LAYERS): {report.unplaced}"


def test_no_import_circle_between_modules(report) -> None:
    assert not report.module_circles, render(report)


def test_no_import_circle_between_packages(report) -> None:
    assert not report.package_circles, render(report)


def test_no_import_runs_up_a_layer(report) -> None:
    assert not report.upward, render(report)


def test_pending_exceptions_still_occur(report) -> None:
    # PENDING only shrinks: an entry whose import is gone must be removed
    assert not report.pending_gone, f"remove from PENDING (tests/structure/import_graph.py): {report.pending_gone}"


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_finds_circles_and_upward_imports_at_any_depth(tmp_path: Path) -> None:
    # a package tree with a circle through a function-level import and one under TYPE_CHECKING, and an upward import
    foundation, upper = LAYERS[0][1][0], LAYERS[-1][1][0]
    root = _write(
        tmp_path,
        {
            "orchestration/__init__.py": "",
            f"orchestration/{foundation}.py": f"def f():\n    from orchestration.{upper} import g\n",
            f"orchestration/{upper}.py": f"from orchestration import {foundation}\n",
            "orchestration/ingest/__init__.py": "",
            "orchestration/ingest/a.py": "from . import b\n",
            "orchestration/ingest/b.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from orchestration.ingest.a import A\n"
            ),
        },
    )
    found = analyse(root, pending=(("orchestration.ingest.a", "orchestration.nowhere"),))
    assert found.module_circles == [
        sorted([f"orchestration.{foundation}", f"orchestration.{upper}"]),
        ["orchestration.ingest.a", "orchestration.ingest.b"],
    ]
    assert found.package_circles == [sorted([foundation, upper])]
    assert [(edge.source, edge.target, edge.kind) for edge in found.upward] == [
        (f"orchestration.{foundation}", f"orchestration.{upper}", "function")
    ]
    assert found.pending_gone == [("orchestration.ingest.a", "orchestration.nowhere")]
    assert not found.ok
