"""`make docs`: dbt's static documentation site, built offline, carries the report pages as exposures at the end of
the lineage; and every report page's exposure names what the page's queries read (the marts it copies, the metrics
behind the metric tables it shows), so the lineage cannot drift from the pages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orchestration.settings import PROJECT_ROOT

DBT = str(Path(sys.executable).with_name("dbt"))
PAGES = PROJECT_ROOT / "reports" / "pages"
SOURCE_QUERIES = PROJECT_ROOT / "reports" / "sources" / "warehouse"
EXPOSURES = PROJECT_ROOT / "models" / "marts" / "exposures.yml"


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory, dbt_manifest: Path) -> tuple[dict, dict, str]:
    """What `make docs` runs (`dbt docs generate --static`), into a private target path, on a warehouse holding the
    seeds (so the catalog has tables to describe). Returns the manifest and catalog embedded in static_index.html."""
    root = tmp_path_factory.mktemp("docs_site")
    env = {**os.environ, "WAREHOUSE_PATH": str(root / "analytics.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    common = ["--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT), "--target-path", str(root / "t")]
    for command in (["seed", "--quiet"], ["docs", "generate", "--static", "--quiet"]):
        result = subprocess.run(
            [DBT, *command, *common], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (root / "t" / "static_index.html").read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    start = html.index("{manifest:") + len("{manifest:")
    manifest, end = decoder.raw_decode(html, start)
    assert html[end : end + len(",catalog:")] == ",catalog:"
    catalog, _ = decoder.raw_decode(html, end + len(",catalog:"))
    return manifest, catalog, html


def test_the_static_site_holds_manifest_and_catalog_and_loads_nothing_from_the_internet(static_site) -> None:
    manifest, catalog, html = static_site
    assert manifest["metadata"]["project_name"] == "tmall_analytics"
    assert "seed.tmall_analytics.tmall_order_status_map" in catalog["nodes"]
    external = re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']https?://""", html)
    assert external == [], "the page loads a script, style or image from the internet"


def test_the_lineage_ends_at_the_report_pages(static_site) -> None:
    manifest, _, _ = static_site
    exposures = manifest["exposures"]
    overview = exposures["exposure.tmall_analytics.report_overview"]
    assert overview["label"].startswith("经营概览") and overview["type"] == "dashboard"
    assert "metric.tmall_analytics.net_sales" in manifest["parent_map"][overview["unique_id"]]

    # walk down from a mart: the overview page is reached through the metric layer
    children, seen, frontier = manifest["child_map"], set(), ["model.tmall_analytics.fct_orders"]
    while frontier:
        node = frontier.pop()
        if node not in seen:
            seen.add(node)
            frontier.extend(children.get(node, []))
    assert {e for e in seen if e.startswith("exposure.")} >= {
        "exposure.tmall_analytics.report_overview",
        "exposure.tmall_analytics.report_sales",
        "exposure.tmall_analytics.report_customers",
    }


def page_tables(page: Path) -> set[str]:
    """The report-file tables a page reads: its `warehouse.<query>` sources, and the `main.<table>` they select."""
    tables: set[str] = set()
    for query in set(re.findall(r"\bwarehouse\.([a-z_]+)", page.read_text(encoding="utf-8"))):
        sql = (SOURCE_QUERIES / f"{query}.sql").read_text(encoding="utf-8")
        tables |= set(re.findall(r"\bmain\.([a-z_]+)", sql))
    return tables


def test_every_report_page_has_an_exposure_naming_what_it_reads(dbt_manifest: Path) -> None:
    from orchestration.metrics.tables import COMPARISON_METRICS, KPI_METRICS
    from orchestration.reports.export import REPORT_TABLES

    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    saved_queries = {q["name"]: set(q["query_params"]["metrics"]) for q in manifest["saved_queries"].values()}
    metrics_of = {
        **saved_queries,
        "daily_kpis": set(KPI_METRICS),
        "daily_kpis_by_shop": set(KPI_METRICS),
        "kpi_periods": set(KPI_METRICS),
        "kpi_period_comparisons": {name for name, _ in COMPARISON_METRICS},
    }
    marts_of = {t.name: t.relation.split(".")[1] for t in REPORT_TABLES if t.relation.startswith("marts.")}
    exposures = yaml.safe_load(EXPOSURES.read_text(encoding="utf-8"))["exposures"]
    by_page = {page: e for e in exposures for page in e["meta"].get("pages", [e["meta"]["page"]])}

    pages = sorted(p.relative_to(PROJECT_ROOT).as_posix() for p in PAGES.rglob("*.md"))
    assert sorted(by_page) == pages, "every page of reports/pages/ has an exposure, and no exposure a missing page"
    for page, exposure in by_page.items():
        tables = page_tables(PROJECT_ROOT / page)
        wanted = {f"metric('{m}')" for table in tables for m in metrics_of.get(table, ())}
        wanted |= {f"ref('{marts_of[table]}')" for table in tables if table in marts_of}
        missing = wanted - set(exposure["depends_on"])
        assert missing == set(), f"{exposure['name']} ({page}) reads {sorted(missing)} but does not depend on them"
