{{
    config(
        materialized=incremental_materialization(),
        file_format=spark_file_format(),
        incremental_strategy='merge',
        unique_key='erp_order_id',
        on_schema_change='fail',
    )
}}
{#-
    One row per ERP sales order, whichever channel delivered it: the ERP order exports (stg_erp__sales_orders) or
    the 聚水潭 open API (stg_erp__api_orders). An order delivered by both keeps the version with the later ERP
    修改时间 (`modified_at`), then the later load (macro latest_delivery_first), then the file version: the rule
    each staging model applies within its own channel, so it does not matter which channel is loaded first.
    source_channel says whose version was kept ('file' or 'api'). The API order names its warehouse by id only:
    its name comes from the API stock rows of that warehouse. A table: the ERP marts and reconciliation read it.
    Incremental (macros/incremental.sql): a run recomputes the orders whose version in either channel changed in
    the window, and the API orders without a warehouse name whose warehouse's latest name changed in the window.
-#}

{%- set order_inputs = [
    [ref('stg_erp__sales_orders'), 'erp_order_id'],
    [ref('stg_erp__api_orders'), 'erp_order_id'],
] %}

{#- the orders an incremental run recomputes: those changed in either channel, and the API orders without a
    warehouse name whose warehouse's latest name (from the API stock rows) changed in the window -#}
{%- set orders_to_process -%}
    {{ keys_loaded_since(order_inputs) }}
    union
    select erp_order_id from {{ ref('stg_erp__api_orders') }}
    where warehouse_name is null and warehouse_id in (
        select warehouse_id from {{ ref('stg_erp__api_inventory_snapshots') }}
        where warehouse_id is not null and warehouse_name is not null
        group by warehouse_id
        having max(_loaded_at) >= {{ incremental_loaded_since() }}
            and max_by(warehouse_name, snapshot_at) is distinct from
            max_by(warehouse_name, snapshot_at) filter (where _loaded_at < {{ incremental_loaded_since() }})
    )
{%- endset %}

with

file_orders as (

    select
        *,
        'file' as source_channel
    from {{ ref('stg_erp__sales_orders') }}
    {% if is_incremental() -%}
        where erp_order_id in ({{ orders_to_process }})
    {%- endif %}

),

api_warehouse_names as (

    select
        warehouse_id,
        max_by(warehouse_name, snapshot_at) as warehouse_name
    from {{ ref('stg_erp__api_inventory_snapshots') }}
    where warehouse_id is not null
        and warehouse_name is not null
    group by warehouse_id

),

api_orders as (

    select
        {{ star_except(['warehouse_id', 'warehouse_name'], 'api_orders') }},
        coalesce(api_orders.warehouse_name, api_warehouse_names.warehouse_name) as warehouse_name,
        'api' as source_channel
    from {{ ref('stg_erp__api_orders') }} as api_orders
    left join api_warehouse_names
        on api_orders.warehouse_id = api_warehouse_names.warehouse_id
    {% if is_incremental() -%}
        where api_orders.erp_order_id in ({{ orders_to_process }})
    {%- endif %}

),

unioned as (

    select * from file_orders
    {{ union_all_by_name() }}
    -- the API branch lists the first branch's columns in its order: Spark's union is positional (see union_all_by_name)
    select
        erp_order_id,
        tmall_order_ids,
        shop_name,
        erp_status,
        erp_status_name,
        erp_status_text,
        is_active,
        is_shipped,
        tmall_status,
        ordered_at,
        paid_at,
        shipped_at,
        modified_at,
        payable_amount,
        paid_amount,
        freight,
        discount_amount,
        waybill_no,
        logistics_company,
        warehouse_name,
        receiver_province,
        receiver_city,
        receiver_name_hash,
        receiver_mobile_hash,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id,
        source_channel
    from api_orders

),

ranked as (

    select
        *,
        row_number() over (
            partition by erp_order_id
            order by {{ latest_delivery_first(prefer='modified_at desc nulls last') }}, source_channel desc
        ) as channel_rank
    from unioned

),

final as (

    select {{ star_except(['channel_rank']) }}
    from ranked
    where channel_rank = 1

)

select * from final
