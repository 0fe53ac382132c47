{{
    config(
        materialized='table',
    )
}}
{#-
    ERP stock snapshots, one row per snapshot time, SKU and warehouse: the latest delivered version. A table, not
    a view: its 6 data tests would each recompute a view over every delivered row.
-#}

with

source as (

    select * from {{ source('erp', 'erp_inventory') }}

),

typed as (

    select
        *,
        {{ to_china_timestamp('snapshot_at') }} as cleaned_snapshot_at,
        {{ clean_text('sku_id') }} as cleaned_sku_id,
        {{ clean_text('warehouse_name') }} as cleaned_warehouse_name
    from source

),

latest_version as (

    {{ latest_version(
        'typed', key=['cleaned_snapshot_at', 'cleaned_sku_id', 'cleaned_warehouse_name'], modified='modified_at'
    ) }}

),

final as (

    select
        {{ surrogate_key(['cleaned_snapshot_at', 'cleaned_sku_id', 'cleaned_warehouse_name']) }}
            as inventory_snapshot_id,
        cleaned_snapshot_at as snapshot_at,
        cast(cleaned_snapshot_at as date) as snapshot_date,
        cleaned_sku_id as sku_id,
        cleaned_warehouse_name as warehouse_name,
        {{ to_quantity('on_hand_qty') }} as on_hand_qty,
        {{ to_quantity('order_locked_qty') }} as order_locked_qty,
        {{ to_quantity('in_transit_qty') }} as in_transit_qty,
        {{ to_quantity('on_hand_qty') }} - coalesce({{ to_quantity('order_locked_qty') }}, 0) as available_qty,
        {{ to_china_timestamp('modified_at') }} as modified_at,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

)

select * from final
