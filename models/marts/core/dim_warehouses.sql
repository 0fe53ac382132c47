{#-
    One row per ERP warehouse (发货仓 / 仓库), by name, from every ERP record that names one, exported or fetched
    from the 聚水潭 API (the int_erp_*_unioned models): sales orders, outbound shipments and stock snapshots.
-#}

with

erp_orders as (

    select warehouse_name from {{ ref('int_erp_sales_orders_unioned') }}

),

shipments as (

    select * from {{ ref('int_erp_shipments_unioned') }}

),

inventory as (

    select * from {{ ref('int_erp_inventory_snapshots_unioned') }}

),

shipment_activity as (

    select
        warehouse_name,
        count(distinct outbound_id) filter (where is_shipped) as shipped_outbound_count,
        min(shipped_at) as first_shipped_at,
        max(shipped_at) as latest_shipped_at
    from shipments
    where warehouse_name is not null
    group by warehouse_name

),

inventory_activity as (

    select
        warehouse_name,
        count(distinct sku_id) as stocked_sku_count,
        max(snapshot_at) as latest_snapshot_at
    from inventory
    where warehouse_name is not null
    group by warehouse_name

),

names as (

    select warehouse_name from erp_orders where warehouse_name is not null
    union
    select warehouse_name from shipment_activity
    union
    select warehouse_name from inventory_activity

),

final as (

    select
        names.warehouse_name,
        coalesce(shipment_activity.shipped_outbound_count, 0) as shipped_outbound_count,
        shipment_activity.first_shipped_at,
        shipment_activity.latest_shipped_at,
        coalesce(inventory_activity.stocked_sku_count, 0) as stocked_sku_count,
        inventory_activity.latest_snapshot_at
    from names
    left join shipment_activity
        on names.warehouse_name = shipment_activity.warehouse_name
    left join inventory_activity
        on names.warehouse_name = inventory_activity.warehouse_name

)

select * from final
