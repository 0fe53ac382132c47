"""The Dagster code location: what the asset graph holds and how its pieces depend on each other."""

from __future__ import annotations

import dagster as dg
import pytest


@pytest.fixture(scope="module")
def definitions(dbt_manifest):
    from orchestration.definitions import build_definitions

    return build_definitions()


def key(path: str) -> dg.AssetKey:
    return dg.AssetKey(path.split("/"))


def test_one_job_covers_the_whole_graph(definitions) -> None:
    graph = definitions.resolve_asset_graph()
    job = definitions.resolve_job_def("tmall_daily_pipeline")
    assert set(job.asset_layer.asset_graph.get_all_asset_keys()) >= set(graph.get_all_asset_keys())


def test_every_layer_is_in_the_graph(definitions) -> None:
    keys = {k.to_user_string() for k in definitions.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "raw/tmall_orders",
        "raw/tmall_order_items",
        "raw/erp_skus",
        "raw/erp_sales_orders",
        "raw/erp_shipments",
        "raw/erp_inventory",
        "staging/stg_tmall__orders",
        "staging/stg_tmall__order_items",
        "staging/stg_erp__skus",
        "marts/dim_products",
        "marts/dim_customers",
        "marts/fct_orders",
        "marts/fct_order_lines",
        "metrics/metric_tables",
        "reports/report_database",
        "reports/evidence_report",
    } <= keys


def test_the_raw_orders_quality_gate_is_a_blocking_check(definitions) -> None:
    graph = definitions.resolve_asset_graph()
    check = dg.AssetCheckKey(key("raw/tmall_orders"), "gx_raw_tmall_orders")
    assert check in graph.asset_check_keys
    spec = graph.get_check_spec(check)
    assert spec.blocking


def test_dbt_tests_are_asset_checks(definitions) -> None:
    checks = definitions.resolve_asset_graph().asset_check_keys
    assert sum(1 for c in checks if c.asset_key == key("marts/fct_orders")) >= 5


def test_staging_reads_the_raw_assets_and_the_report_comes_last(definitions) -> None:
    graph = definitions.resolve_asset_graph()
    assert key("raw/tmall_orders") in graph.get(key("staging/stg_tmall__orders")).parent_keys
    assert key("marts/fct_orders") in graph.get(key("metrics/metric_tables")).parent_keys
    assert graph.get(key("reports/report_database")).parent_keys == {key("metrics/metric_tables")}
    assert graph.get(key("reports/evidence_report")).parent_keys == {key("reports/report_database")}


def test_the_daily_schedule_runs_at_two_in_china_time(definitions) -> None:
    schedule = definitions.resolve_schedule_def("tmall_daily_0200_shanghai")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "tmall_daily_pipeline"


def test_raw_tables_and_marts_carry_a_freshness_policy_in_china_time(definitions) -> None:
    graph = definitions.resolve_asset_graph()
    for path in ("raw/tmall_orders", "raw/erp_inventory", "marts/fct_orders", "marts/dim_products"):
        policy = graph.get(key(path)).freshness_policy
        assert policy is not None, path
        assert policy.timezone == "Asia/Shanghai"
    assert graph.get(key("staging/stg_tmall__orders")).freshness_policy is None
