"""Each raw dataset is declared once (orchestration/ingest/datasets.py, orchestration/ingest/api/datasets.py) and
everything else follows from or agrees with that declaration: pure-Python checks, no warehouse or dbt run.

- the generated artefacts (`python -m orchestration.ingest.declarations`) are current: the `personal_columns` var in
  dbt_project.yml, the API tables' suites and their rules in docs/quality.md, the datasets table in
  docs/landing-formats.md;
- the hand-written suites of the file datasets check what the declarations say (vocabularies, references,
  numeric ids), and every raw dataset has a raw gate built from its entity and batch key;
- docs/landing-formats.md marks as personal exactly the declared personal columns;
- the raw layer's modules import no circle (the file loader and the API landing share `raw_schema` instead).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from orchestration.ingest import declarations
from orchestration.ingest.api.datasets import API_DATASETS
from orchestration.ingest.datasets import DATASETS
from orchestration.ingest.declarations import PERSONAL_COLUMNS, RAW_DATASETS
from orchestration.settings import PROJECT_ROOT


def test_the_generated_artefacts_are_current() -> None:
    stale = [str(p.relative_to(PROJECT_ROOT)) for p in declarations.stale_files()]
    assert stale == [], f"run `python -m orchestration.ingest.declarations`: {stale}"


def test_a_changed_declaration_makes_the_artefacts_stale(monkeypatch) -> None:
    """The staleness check can fail: one more personal column changes the dbt var and the landing-formats table."""
    monkeypatch.setattr(declarations, "PERSONAL_COLUMNS", PERSONAL_COLUMNS | {"buyer_shoe_size"})
    assert declarations.DBT_PROJECT in declarations.stale_files()


def test_the_personal_columns_cover_every_source_and_reach_dbt() -> None:
    import yaml

    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    assert project["vars"]["personal_columns"] == sorted(PERSONAL_COLUMNS)
    # the newer raw personal fields too, not only the order report's
    assert {"buyer_real_name", "refund_description", "buyer_open_uid", "oaid", "contact_note"} <= PERSONAL_COLUMNS
    singular = (PROJECT_ROOT / "tests" / "singular" / "assert_no_personal_columns_outside_raw.sql").read_text()
    assert 'var("personal_columns")' in singular


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.name)
def test_a_file_datasets_suite_checks_what_its_declaration_says(dataset) -> None:
    suite = json.loads((PROJECT_ROOT / "expectations" / f"raw_{dataset.name}.json").read_text(encoding="utf-8"))
    in_set = {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    }
    vocabularies = {
        column: {"$seed": vocabulary} if isinstance(vocabulary, str) else list(vocabulary)
        for column, vocabulary in dataset.vocabularies.items()
    }
    flags = {reference.flag: [True] for reference in dataset.references}
    assert in_set == {**vocabularies, **flags}
    digits = {
        e["kwargs"]["column"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_match_regex" and e["kwargs"]["regex"] == "^[0-9]+$"
    }
    assert set(dataset.numeric_id_columns) <= digits


def test_every_raw_dataset_has_its_gate_from_its_declaration() -> None:
    from orchestration.quality.checks import RAW_GATES

    gates = {gate.dataset: gate for gate in RAW_GATES}
    assert sorted(gates) == sorted(d.name for d in RAW_DATASETS)
    for dataset in RAW_DATASETS:
        gate = gates[dataset.name]
        assert (gate.entity, gate.batch_key) == (dataset.entity, dataset.batch_key)
        for reference in dataset.references:
            assert f"as {reference.flag}" in gate.references
        assert (PROJECT_ROOT / "expectations" / f"{gate.suite}.json").exists()


def _personal_in_landing_doc() -> dict[str, set[str]]:
    """raw table -> the columns its section of docs/landing-formats.md marks `personal`."""
    text = (PROJECT_ROOT / "docs" / "landing-formats.md").read_text(encoding="utf-8")
    marked: dict[str, set[str]] = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE):
        heading = re.search(r"→ `raw\.(\w+)`", section.splitlines()[0])
        if not heading:
            continue
        columns = marked.setdefault(heading.group(1), set())
        for line in section.splitlines():
            cells = line.split("|")
            if line.startswith("|") and len(cells) >= 4 and "personal" in "|".join(cells[2:]):
                columns |= set(re.findall(r"`(\w+)`", cells[2]))
    return marked


def test_the_landing_formats_doc_marks_the_declared_personal_columns() -> None:
    assert _personal_in_landing_doc() == {d.name: set(d.personal_columns) for d in DATASETS}


def _imports(path: Path, package: str) -> set[str]:
    """The `orchestration.*` modules a file imports, at module level or in a function (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_checking = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m.startswith(package)}


def test_the_raw_layer_imports_no_circle() -> None:
    root = PROJECT_ROOT / "orchestration" / "ingest"
    modules = {
        ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in root.rglob("*.py")
    }
    graph = {name: _imports(path, "orchestration.ingest") & set(modules) for name, path in modules.items()}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    return [*trail, start]
                if nxt not in trail:
                    stack.append((nxt, [*trail, nxt]))
        return None

    cycles = [c for c in (cycle_from(m) for m in sorted(graph)) if c]
    assert cycles == [], " -> ".join(cycles[0]) if cycles else ""
    assert "orchestration.ingest.loader" not in graph["orchestration.ingest.api.landing"]
    assert "orchestration.ingest.api.landing" not in graph["orchestration.ingest.loader"]


def test_api_datasets_declare_what_their_gate_reads() -> None:
    for dataset in API_DATASETS:
        suite = declarations.api_suite(dataset)
        columns = {e["kwargs"]["column"] for e in suite["expectations"]}
        assert set(dataset.vocabularies) | set(dataset.timestamp_columns) <= columns
