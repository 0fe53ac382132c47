{#-
    Inventory health and a replenishment suggestion per ERP SKU, at the latest stock snapshot:

    available / on hand / in transit   summed over warehouses at the latest snapshot
    units_sold_28d                     units on paid Tmall lines of the SKU, paid in the 28 days up to the snapshot
    daily_velocity                     units_sold_28d / 28
    days_of_cover                      available / daily_velocity (null without sales)
    stock_status                       out_of_stock (available ≤ 0), stockout_risk (cover < lead time + safety days),
                                       overstock (cover > overstock days), no_sales (stock but no sales in 28 days),
                                       healthy
    suggested_reorder_qty              ceil(velocity × (lead time + review period + safety days)) − available −
                                       in transit, at least 0

    Lead time, review period, safety days and the overstock threshold are dbt vars (dbt_project.yml defaults:
    15, 7, 7 and 90 days), the same for every SKU until the ERP supplies per-supplier lead times.
-#}

{%- set lead_time_days = var('replenishment_lead_time_days', 15) -%}
{%- set review_days = var('replenishment_review_days', 7) -%}
{%- set safety_days = var('safety_stock_days', 7) -%}
{%- set overstock_days = var('overstock_cover_days', 90) -%}

with

snapshots as (

    select * from {{ ref('fct_inventory_snapshots') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where is_paid and sku_id is not null

),

latest as (

    select max(snapshot_date) as snapshot_date from snapshots

),

stock as (

    select
        snapshots.sku_id,
        snapshots.snapshot_date,
        max(snapshots.category) as category,
        sum(snapshots.on_hand_qty) as on_hand_qty,
        sum(snapshots.available_qty) as available_qty,
        sum(coalesce(snapshots.in_transit_qty, 0)) as in_transit_qty,
        count(*) as warehouse_count
    from snapshots
    inner join latest
        on snapshots.snapshot_date = latest.snapshot_date
    group by snapshots.sku_id, snapshots.snapshot_date

),

sales as (

    select
        order_lines.sku_id,
        sum(order_lines.quantity) as units_sold_28d
    from order_lines
    cross join latest
    where order_lines.paid_date between latest.snapshot_date - interval 27 day and latest.snapshot_date
    group by order_lines.sku_id

),

measured as (

    select
        stock.*,
        coalesce(sales.units_sold_28d, 0) as units_sold_28d,
        cast(coalesce(sales.units_sold_28d, 0) / 28.0 as decimal(18, 4)) as daily_velocity
    from stock
    left join sales
        on stock.sku_id = sales.sku_id

),

final as (

    select
        sku_id,
        snapshot_date,
        category,
        warehouse_count,
        cast(on_hand_qty as bigint) as on_hand_qty,
        cast(available_qty as bigint) as available_qty,
        cast(in_transit_qty as bigint) as in_transit_qty,
        cast(units_sold_28d as bigint) as units_sold_28d,
        daily_velocity,
        cast(available_qty / nullif(daily_velocity, 0) as decimal(18, 1)) as days_of_cover,
        case
            when coalesce(available_qty, 0) <= 0 then 'out_of_stock'
            when daily_velocity = 0 then 'no_sales'
            when available_qty / daily_velocity < {{ lead_time_days }} + {{ safety_days }} then 'stockout_risk'
            when available_qty / daily_velocity > {{ overstock_days }} then 'overstock'
            else 'healthy'
        end as stock_status,
        {{ lead_time_days }} as lead_time_days,
        cast(ceil(daily_velocity * {{ safety_days }}) as integer) as safety_stock_qty,
        cast(greatest(
            0,
            ceil(daily_velocity * ({{ lead_time_days }} + {{ review_days }} + {{ safety_days }}))
            - coalesce(available_qty, 0) - in_transit_qty
        ) as integer) as suggested_reorder_qty
    from measured

)

select * from final
