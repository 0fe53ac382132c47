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


API_KEYS = {
    "raw/top_trades",
    "raw/top_refunds",
    "raw/jst_orders",
    "raw/jst_sales_outbound",
    "raw/jst_inventory",
    "raw/jst_skus",
    "raw/jst_purchase_receipts",
}


def job_keys(definitions, name: str) -> set[str]:
    job = definitions.resolve_job_def(name)
    return {k.to_user_string() for k in job.asset_layer.executable_asset_keys}


def test_the_api_job_and_the_pipeline_job_split_the_graph_between_them(definitions) -> None:
    everything = {k.to_user_string() for k in definitions.resolve_asset_graph().get_all_asset_keys()}

    api, pipeline = job_keys(definitions, "tmall_api_ingest"), job_keys(definitions, "tmall_daily_pipeline")

    assert api == API_KEYS
    assert pipeline == everything - API_KEYS
    assert definitions.resolve_job_def("tmall_daily_pipeline").partitions_def is None


def test_the_api_assets_are_partitioned_by_china_day_and_backfilled_in_one_run(definitions) -> None:
    graph = definitions.resolve_asset_graph()
    for path in API_KEYS:
        node = graph.get(key(path))
        assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition), path
        assert node.partitions_def.timezone == "Asia/Shanghai"
        assert node.backfill_policy == dg.BackfillPolicy.single_run(), path
    assert graph.get(key("raw/tmall_orders")).partitions_def is None


def test_the_source_freshness_of_the_api_tables_is_checked_in_the_pipeline_job(definitions) -> None:
    checks = definitions.resolve_job_def("tmall_daily_pipeline").asset_layer.asset_graph.asset_check_keys
    api_checks = definitions.resolve_job_def("tmall_api_ingest").asset_layer.asset_graph.asset_check_keys

    assert dg.AssetCheckKey(key("raw/top_trades"), "dbt_source_freshness") in checks
    assert not api_checks  # the API job runs no dbt


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
    # the report is built from what was published, and publishing waits for every model, the metric tables and the
    # marts the second dbt step builds after the demand forecasts
    assert graph.get(key("reports/report_database")).parent_keys == {key("warehouse/published")}
    published_parents = graph.get(key("warehouse/published")).parent_keys
    assert {
        key("metrics/metric_tables"),
        key("marts/fct_orders"),
        key("marts/inventory_health"),
        key("marts/replenishment_plan"),
        key("marts/forecast_backtest"),
        key("forecast/sku_daily_forecasts"),
    } <= published_parents
    assert key("marts/fct_sku_daily_demand") in graph.get(key("forecast/sku_daily_forecasts")).parent_keys
    forecast_staging = graph.get(key("staging/stg_forecast__sku_daily_forecasts"))
    assert key("forecast/sku_daily_forecasts") in forecast_staging.parent_keys
    assert graph.get(key("reports/evidence_report")).parent_keys == {key("reports/report_database")}


def test_the_daily_schedule_fetches_yesterday_at_two_in_china_time(definitions) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    schedule = definitions.resolve_schedule_def("tmall_daily_0200_shanghai")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "tmall_api_ingest"
    tick = dt.datetime(2025, 3, 15, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=tick, repository_def=definitions.get_repository_def()
        )
        requests = schedule.evaluate_tick(context).run_requests

    assert [r.partition_key for r in requests] == ["2025-03-14"]


def test_a_successful_api_run_starts_the_pipeline_job(definitions) -> None:
    sensor = definitions.resolve_sensor_def("pipeline_after_api_ingest")
    assert sensor.job_name == "tmall_daily_pipeline"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING

    @dg.op
    def fetch() -> None:
        pass

    @dg.job
    def stand_in_for_the_api_job() -> None:
        fetch()

    range_tags = {
        "dagster/asset_partition_range_start": "2025-03-01",
        "dagster/asset_partition_range_end": "2025-03-14",
    }
    with dg.DagsterInstance.ephemeral() as instance:
        run = stand_in_for_the_api_job.execute_in_process(instance=instance, tags=range_tags)
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_instance=instance,
            dagster_run=run.dagster_run,
            dagster_event=run.get_run_success_event(),
        )
        request = sensor(context)

    assert request.run_key == f"after-{run.run_id}"  # one pipeline run per API run, however often evaluated
    assert request.tags["api_days"] == "2025-03-01..2025-03-14"


def test_raw_tables_and_marts_carry_a_freshness_policy_in_china_time(definitions) -> None:
    graph = definitions.resolve_asset_graph()
    for path in ("raw/tmall_orders", "raw/erp_inventory", "marts/fct_orders", "marts/dim_products"):
        policy = graph.get(key(path)).freshness_policy
        assert policy is not None, path
        assert policy.timezone == "Asia/Shanghai"
    assert graph.get(key("staging/stg_tmall__orders")).freshness_policy is None
