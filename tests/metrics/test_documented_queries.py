"""Every `mf query` docs/asking.md and docs/metrics.md show answers on the demo data: the documented questions (by day,
week, month, shop, province, category, segment) stay answerable as the semantic layer changes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import duckdb
import pytest

from orchestration.metrics.metricflow import SemanticLayer
from orchestration.settings import PROJECT_ROOT

DOCUMENTS = ("docs/asking.md", "docs/metrics.md")
QUERY = re.compile(r"mf query [^`\n]+")


def documented_queries() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        for match in QUERY.finditer((PROJECT_ROOT / document).read_text(encoding="utf-8")):
            found.append((document, match.group(0).strip()))
    return found


def parse(command: str) -> dict[str, list[str]]:
    words = shlex.split(command)[2:]
    options: dict[str, list[str]] = {}
    for flag, value in zip(words[::2], words[1::2], strict=True):
        options[flag.lstrip("-")] = value.split(",")
    return options


QUERIES = documented_queries()


def test_the_documents_ask_by_every_promised_dimension() -> None:
    text = " ".join(command for _, command in QUERIES)
    for dimension in ("metric_time__day", "metric_time__week", "metric_time__month", "shop_name", "province",
                      "category", "segment"):
        assert dimension in text, f"no documented mf query groups by {dimension}"


@pytest.mark.parametrize(("document", "command"), QUERIES, ids=[c for _, c in QUERIES])
def test_a_documented_query_answers(metrics_warehouse: Path, document: str, command: str) -> None:
    options = parse(command)
    allowed = {"metrics", "group-by", "order", "saved-query"}
    assert set(options) <= allowed, f"{document}: unexpected option in {command}"
    with SemanticLayer() as layer:
        if "saved-query" in options:
            sql = layer.sql_for_saved_query(options["saved-query"][0])
        else:
            sql = layer.sql_for(options["metrics"], options.get("group-by", []))
    with duckdb.connect(str(metrics_warehouse), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    assert rows, f"{document}: `{command}` returned no rows on the demo data"
