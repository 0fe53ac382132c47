"""What the README and docs/ state about the code is read from the code, so it cannot drift: the metric layer's counts,
the folders the "What is where" table (docs/architecture.md) names, the make targets they tell users to run, and the
docs they link to."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "docs").glob("*.md"))}


def where_row(folder: str) -> str:
    """The "What is where" row of `folder` (docs/architecture.md)."""
    rows = [line for line in ARCHITECTURE.splitlines() if line.startswith(f"| `{folder}` |")]
    assert len(rows) == 1, f"docs/architecture.md has {len(rows)} rows for {folder}"
    return rows[0]


def semantic_layer_counts() -> dict[str, int]:
    counts = {"semantic models": 0, "metrics": 0, "saved queries": 0}
    for path in sorted((REPO_ROOT / "models" / "metrics").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        counts["semantic models"] += len(document.get("semantic_models") or [])
        counts["metrics"] += len(document.get("metrics") or [])
        counts["saved queries"] += len(document.get("saved_queries") or [])
    return counts


def test_the_metric_layer_counts_in_the_readme_are_the_yaml_counts() -> None:
    row = where_row("models/metrics/")
    counts = semantic_layer_counts()
    assert counts["metrics"] > 0
    for what, count in counts.items():
        stated = re.findall(rf"(\d+) {what}", row)
        assert stated == [str(count)], f"docs/architecture.md says {stated} {what}, models/metrics/ has {count}"
    # and nowhere else in the README or docs/ does another metric count stand
    for name, text in {"README.md": README, **DOCS}.items():
        assert set(re.findall(r"(\d+) metrics\b", text)) <= {str(counts["metrics"])}, name


def test_every_test_folder_is_named_in_the_tests_row() -> None:
    row = where_row("tests/")
    skip = {"__pycache__", "artifacts"}
    folders = sorted(p.name for p in (REPO_ROOT / "tests").iterdir() if p.is_dir() and p.name not in skip)
    missing = [name for name in folders if f"`{name}/`" not in row]
    assert missing == [], f"the tests/ row does not name {missing}"


def test_every_macro_file_is_named_in_the_macros_row() -> None:
    row = where_row("macros/")
    missing = [p.name for p in sorted((REPO_ROOT / "macros").glob("*.sql")) if f"`{p.name}`" not in row]
    assert missing == [], f"the macros/ row does not name {missing}"


def test_every_doc_is_named_in_the_docs_row() -> None:
    row = where_row("docs/")
    missing = [p.name for p in sorted((REPO_ROOT / "docs").glob("*.md")) if f"`{p.name}`" not in row]
    assert missing == [], f"the docs/ row does not name {missing}"


def test_every_make_target_the_readme_and_docs_name_exists() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    # the quick start's commands, one per line in a code block
    commands = set(re.findall(r"^make ([a-z][a-z-]*)", README, flags=re.MULTILINE))
    assert {"run", "test"} <= commands
    assert commands - targets == set()
    for name, text in {"README.md": README, **DOCS}.items():
        named = set(re.findall(r"`make ([a-z][a-z-]*)", text))
        assert named - targets == set(), f"{name} names make targets that do not exist: {named - targets}"


def test_every_doc_the_readme_links_exists() -> None:
    linked = re.findall(r"\]\((docs/[^)#]+)", README)
    assert linked, "the README links no docs"
    missing = sorted(path for path in linked if not (REPO_ROOT / path).exists())
    assert missing == [], f"the README links missing docs: {missing}"


def test_the_readme_stays_a_five_minute_read() -> None:
    lines = README.splitlines()
    assert len(lines) <= 120, f"README.md has {len(lines)} lines: move the detail into docs/"


def test_every_file_the_contributing_guide_names_exists() -> None:
    """docs/contributing.md says which one or two files to touch; a file it names that was moved or renamed would
    send a newcomer nowhere. Templates (`<name>`) and globs (`*`) are left out."""
    guide = (REPO_ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|yml|sql|md|json))`", guide))
    assert len(named) >= 10, named
    missing = sorted(path for path in named if not (REPO_ROOT / path).exists())
    assert missing == [], f"docs/contributing.md names files that do not exist: {missing}"
