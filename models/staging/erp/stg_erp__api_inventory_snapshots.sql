{#-
    ERP stock levels from the 聚水潭 open API, one row per SKU, warehouse and time the level changed (`modified`),
    with the columns of stg_erp__inventory_snapshots: the API's row is the state of one SKU in one warehouse as of
    `modified`, so `snapshot_at` is that time. A row delivered again (window reloaded) is kept once, the latest load.
-#}

with

source as (

    select * from {{ source('erp_api', 'jst_inventory') }}

),

typed as (

    select
        *,
        {{ to_china_timestamp('modified') }} as cleaned_snapshot_at,
        {{ clean_text('sku_id') }} as cleaned_sku_id,
        {{ clean_text('wms_co_id') }} as cleaned_warehouse_id
    from source

),

latest_version as (

    {{ latest_version('typed', key=['cleaned_snapshot_at', 'cleaned_sku_id', 'cleaned_warehouse_id']) }}

),

fields as (

    select
        cleaned_snapshot_at,
        cleaned_sku_id,
        cleaned_warehouse_id,
        {{ json_text('payload', '$.warehouse') }} as warehouse_name,
        {{ json_text('payload', '$.qty') }} as on_hand_qty,
        {{ json_text('payload', '$.order_lock') }} as order_locked_qty,
        {{ json_text('payload', '$.purchase_qty') }} as in_transit_qty,
        {{ json_text('payload', '$.virtual_qty') }} as virtual_qty,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from latest_version

),

final as (

    select
        {{ surrogate_key(['cleaned_snapshot_at', 'cleaned_sku_id', 'cleaned_warehouse_id']) }}
            as inventory_snapshot_id,
        cleaned_snapshot_at as snapshot_at,
        cast(cleaned_snapshot_at as date) as snapshot_date,
        cleaned_sku_id as sku_id,
        {{ clean_text('warehouse_name') }} as warehouse_name,
        {{ to_quantity('on_hand_qty') }} as on_hand_qty,
        {{ to_quantity('order_locked_qty') }} as order_locked_qty,
        {{ to_quantity('in_transit_qty') }} as in_transit_qty,
        {{ to_quantity('on_hand_qty') }} - coalesce({{ to_quantity('order_locked_qty') }}, 0) as available_qty,
        cleaned_snapshot_at as modified_at,

        -- API only
        cleaned_warehouse_id as warehouse_id,
        {{ to_quantity('virtual_qty') }} as virtual_qty,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from fields

)

select * from final
