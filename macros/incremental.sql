{#-
    Incremental runs of the large facts (fct_orders, fct_order_lines, fct_shipments, fct_inventory_snapshots).

    An incremental run re-processes every record whose raw rows were *loaded* since
        China-time midnight of (incremental_window_start − incremental_lookback_days)
    and recomputes each such record from all its delivered versions (staging already keeps the winning version of
    every record; the facts recompute from those), then merges the rows into the table on its primary key.
    Loaded time, not created or paid time, decides what is re-processed: a refund or status change that arrives
    weeks after an order was created is loaded the night it arrives, so the look-back does not have to cover how
    late an update can be. It has to cover the loads since the last successful incremental run (nights the pipeline
    did not run, a run that failed); after a longer outage widen it, or run with --full-refresh.

    Vars (dbt_project.yml):
      incremental_window_start  the first China-time day (YYYY-MM-DD) whose loads this run must include: the
                                Dagster daily partition (or the first day of a backfilled range). Empty: yesterday,
                                China time.
      incremental_lookback_days days before incremental_window_start also re-processed (default 7).

    `_loaded_at` is stamped by the ingest in UTC; China time is UTC+8 all year (no daylight saving), so the cut-off
    is written as a UTC timestamp literal, which every adapter reads the same way.
-#}
{% macro incremental_loaded_since() -%}
    {%- set datetime = modules.datetime -%}
    {%- set lookback_days = var('incremental_lookback_days') | int -%}
    {%- set window_start = var('incremental_window_start', '') | string | trim -%}
    {%- if lookback_days < 0 -%}
        {{ exceptions.raise_compiler_error("incremental_lookback_days must be 0 or more, got " ~ lookback_days) }}
    {%- endif -%}
    {%- if window_start in ('', 'none', 'None') -%}
        {%- set china_now = datetime.datetime.utcnow() + datetime.timedelta(hours=8) -%}
        {%- set first_day = china_now.date() - datetime.timedelta(days=1) -%}
    {%- else -%}
        {%- set first_day = datetime.datetime.strptime(window_start, '%Y-%m-%d').date() -%}
    {%- endif -%}
    {%- set china_midnight = datetime.datetime.combine(
        first_day - datetime.timedelta(days=lookback_days), datetime.time(0, 0)
    ) -%}
    {%- set since_utc = china_midnight - datetime.timedelta(hours=8) -%}
    cast('{{ since_utc.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}

{#-
    The Tmall order ids with a row loaded since incremental_loaded_since(), from every input an order row or its
    lines are computed from: the order (exports and TOP trades), its lines (exports and TOP sub-orders) and its TOP
    refunds. With include_erp, also the orders an ERP sales order loaded in the window lists (fct_orders carries the
    ERP match), and the orders `previous` (the fact as it stands) matched to such an ERP order, which covers an ERP
    order that stopped listing an order. A select statement of one column, order_id.
-#}
{% macro tmall_order_ids_loaded_since(include_erp=false, previous=none) -%}
    select order_id from {{ ref('int_tmall_orders_unioned') }}
    where _loaded_at >= {{ incremental_loaded_since() }}
    union
    select order_id from {{ ref('int_tmall_order_items_unioned') }}
    where _loaded_at >= {{ incremental_loaded_since() }}
    union
    select order_id from {{ ref('stg_top__refunds') }}
    where _loaded_at >= {{ incremental_loaded_since() }}
    {%- if include_erp %}
    union
    -- an ERP order lists the Tmall order(s) it fulfils as `a,b` (int_orders_matched_to_erp splits them the same way)
    select unnest(string_split(tmall_order_ids, ',')) as order_id from {{ ref('int_erp_sales_orders_unioned') }}
    where _loaded_at >= {{ incremental_loaded_since() }}
    {%- if previous is not none %}
    union
    select order_id from {{ previous }}
    where erp_order_id in (
        select erp_order_id from {{ ref('int_erp_sales_orders_unioned') }}
        where _loaded_at >= {{ incremental_loaded_since() }}
    )
    {%- endif %}
    {%- endif %}
{%- endmacro %}

{#- The ERP SKU ids whose master row or a cost version was loaded since incremental_loaded_since(). -#}
{% macro erp_sku_ids_loaded_since() -%}
    select sku_id from {{ ref('int_erp_skus_unioned') }}
    where _loaded_at >= {{ incremental_loaded_since() }}
    union
    select sku_id from {{ ref('int_erp_sku_versions_unioned') }}
    where _loaded_at >= {{ incremental_loaded_since() }}
{%- endmacro %}

{#-
    How the incremental facts are materialised on the target. Merging on a key needs a table format that can
    update rows: DuckDB can, and so can Spark with Delta, Iceberg or Hudi tables (var spark_file_format, e.g.
    `delta` on Databricks). Spark's default Parquet tables cannot, so there the facts are rebuilt whole on every
    run ('table') rather than merged wrongly.
-#}
{% macro incremental_fact_materialization() -%}
    {%- if target.type == 'spark' and spark_file_format() not in ('delta', 'iceberg', 'hudi') -%}
        table
    {%- else -%}
        incremental
    {%- endif -%}
{%- endmacro %}

{#- The Spark table format of the incremental facts (var spark_file_format, default parquet); none elsewhere. -#}
{% macro spark_file_format() -%}
    {%- if target.type == 'spark' -%}
        {{ return(var('spark_file_format', 'parquet')) }}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
{%- endmacro %}
