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
    A SQL condition on an order line (`lines`: a relation alias with merchant_sku_code and mapping_status, as in
    int_order_lines_products_mapped): its product mapping can have changed because the ERP SKU master changed in the
    window. Only on a night some master row was loaded (a guard checked once, so other nights read no line): then
    for a line whose 商家编码 is a SKU id, or the 款式编码 of a SKU, whose master row was loaded in the window, and
    for every line mapped through a 款式编码 (ambiguous_code, unmatched_code): a SKU that moved to another 款式编码
    no longer names its old one, whose SKU count it changed.
-#}
{% macro line_mapping_may_have_changed(lines) -%}
    (
        exists (
            select 1 from {{ ref('int_erp_skus_unioned') }} as skus
            where skus._loaded_at >= {{ incremental_loaded_since() }}
        )
        and (
            {{ lines }}.mapping_status in ('ambiguous_code', 'unmatched_code')
            or {{ lines }}.merchant_sku_code in (
                select skus.sku_id from {{ ref('int_erp_skus_unioned') }} as skus
                where skus._loaded_at >= {{ incremental_loaded_since() }}
                union
                select skus.style_id from {{ ref('int_erp_skus_unioned') }} as skus
                where skus._loaded_at >= {{ incremental_loaded_since() }}
            )
        )
    )
{%- endmacro %}

{#-
    Incremental staging and intermediate tables (stg_tmall__orders, stg_tmall__order_items, stg_erp__sales_orders,
    stg_erp__shipments, the int_*_unioned tables): each keeps one row, or one set of rows, per entity (an order, an
    outbound), chosen from every version of the entity that was delivered. An incremental run recomputes only the
    entities with a version loaded in the window (incremental_loaded_since()), from all their versions, and replaces
    them in the table: `merge` where the entity is one row, `delete+insert` on the entity key where it is a set of
    lines (a later delivery can carry fewer lines than an earlier one, and delete+insert drops the lines it no
    longer carries). A row kept from an earlier run is unchanged by definition: no version of its entity arrived.

    keys_loaded_since(inputs): a select of one column, `changed_key`: the keys of the entities with a row loaded in
    the window, from every input; each input is a pair [relation, SQL of the entity key in that relation].
    only_keys_loaded_since(key, inputs): on an incremental run, `where <key> in (keys_loaded_since(inputs))`, to
    filter a model's input CTE to the entities it recomputes; nothing on a full build.
-#}
{% macro keys_loaded_since(inputs) -%}
    {%- for input in inputs %}
    {% if not loop.first %}union{% endif %}
    select {{ input[1] }} as changed_key from {{ input[0] }}
    where cast(_loaded_at as timestamp) >= {{ incremental_loaded_since() }}
    {%- endfor %}
{%- endmacro %}

{% macro only_keys_loaded_since(key, inputs) -%}
    {%- if is_incremental() %}
    where {{ key }} in (
        {{ keys_loaded_since(inputs) | indent(8) }}
    )
    {%- endif %}
{%- endmacro %}

{#-
    How an incremental model is materialised on the target. Replacing rows needs a table format that can update
    them: DuckDB can; Spark can `merge` into Delta, Iceberg or Hudi tables (var spark_file_format, e.g. `delta` on
    Databricks) but has no `delete+insert`. Spark's default Parquet tables can do neither, so there such a model
    is rebuilt whole on every run ('table') rather than updated wrongly; so is a delete+insert model on any Spark.
-#}
{% macro incremental_materialization(strategy='merge') -%}
    {%- if target.type == 'spark'
        and (strategy != 'merge' or spark_file_format() not in ('delta', 'iceberg', 'hudi')) -%}
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
