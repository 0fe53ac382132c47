{#-
    One row per ERP stock snapshot, SKU and warehouse (latest version of each), with the SKU's category and
    current cost. is_out_of_stock: nothing available to sell (on hand − locked by orders ≤ 0).

    Incremental (macros/incremental.sql): a run recomputes the snapshots loaded in the window, and every snapshot
    of a SKU whose master row was loaded in the window (category and current cost come from it); then merges them
    on inventory_snapshot_id.
-#}

{{
    config(
        materialized=incremental_materialization(),
        file_format=spark_file_format(),
        incremental_strategy='merge',
        unique_key='inventory_snapshot_id',
        on_schema_change='fail',
    )
}}

with

snapshots as (

    select * from {{ ref('int_erp_inventory_snapshots_unioned') }}
    {% if is_incremental() -%}
        where
            _loaded_at >= {{ incremental_loaded_since() }}
            or sku_id in (
                select sku_id from {{ ref('int_erp_skus_unioned') }}
                where _loaded_at >= {{ incremental_loaded_since() }}
            )
    {%- endif %}

),

skus as (

    select * from {{ ref('int_erp_skus_unioned') }}

),

final as (

    select
        snapshots.inventory_snapshot_id,
        snapshots.snapshot_at,
        snapshots.snapshot_date,
        snapshots.sku_id,
        snapshots.warehouse_name,
        skus.category,
        snapshots.on_hand_qty,
        snapshots.order_locked_qty,
        snapshots.in_transit_qty,
        snapshots.available_qty,
        coalesce(snapshots.available_qty, 0) <= 0 as is_out_of_stock,
        skus.cost_price as unit_cost,
        cast(skus.cost_price * snapshots.on_hand_qty as decimal(18, 2)) as on_hand_cost_amount
    from snapshots
    left join skus
        on snapshots.sku_id = skus.sku_id

)

select * from final
