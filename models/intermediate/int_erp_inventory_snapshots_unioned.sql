{{
    config(
        materialized='table',
    )
}}
{#-
    One row per ERP stock snapshot, SKU and warehouse, whichever channel delivered it: the ERP stock exports
    (stg_erp__inventory_snapshots) or the 聚水潭 open API (stg_erp__api_inventory_snapshots, whose row is the state
    of a SKU in a warehouse as of its `modified` time). Both are keyed here as the exports are: snapshot time, SKU
    and warehouse name (an API row without a warehouse name falls back to its warehouse id), so the same snapshot
    from both channels is one row. The later ERP 修改时间 (`modified_at`) wins, then the later load, then the file
    version. source_channel says whose version was kept ('file' or 'api').
-#}

with

unioned as (

    select
        {{ star_except(['inventory_snapshot_id']) }},
        warehouse_name as warehouse_key,
        'file' as source_channel
    from {{ ref('stg_erp__inventory_snapshots') }}

    {{ union_all_by_name() }}

    select
        {{ star_except(['inventory_snapshot_id', 'warehouse_id', 'virtual_qty']) }},
        coalesce(warehouse_name, 'wms_co_id:' || warehouse_id) as warehouse_key,
        'api' as source_channel
    from {{ ref('stg_erp__api_inventory_snapshots') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by snapshot_at, sku_id, warehouse_key
            order by {{ latest_delivery_first(prefer='modified_at desc nulls last') }}, source_channel desc
        ) as channel_rank
    from unioned

),

final as (

    select
        -- the key stg_erp__inventory_snapshots gives the same snapshot
        {{ surrogate_key(['snapshot_at', 'sku_id', 'warehouse_key']) }} as inventory_snapshot_id,
        snapshot_at,
        snapshot_date,
        sku_id,
        warehouse_name,
        on_hand_qty,
        order_locked_qty,
        in_transit_qty,
        available_qty,
        modified_at,
        source_channel,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from ranked
    where channel_rank = 1

)

select * from final
