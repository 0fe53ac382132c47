{#-
    Inventory health and the replenishment suggestion per ERP SKU at the latest stock snapshot, from the demand
    forecast (replenishment_plan, per warehouse, summed here):

    available / on hand / in transit   summed over warehouses at the latest snapshot
    units_sold_28d                     units on paid Tmall lines of the SKU, paid in the 28 days up to the snapshot
    daily_velocity                     units_sold_28d / 28 (what was sold; the forecast is what will be)
    forecast_daily_units               forecast units per day over the replenishment cycle (lead time + review)
    days_of_cover                      available / forecast_daily_units (null without forecast demand)
    stock_status                       out_of_stock (available ≤ 0), no_sales (no demand forecast), stockout_risk
                                       (available + in transit below the reorder point: stock runs out before an
                                       order placed now arrives), overstock (cover > var overstock_cover_days, 90),
                                       healthy
    safety stock, reorder point, order-up-to level and suggested_reorder_qty: sums of the SKU's warehouses in
    replenishment_plan, where each is explained.
-#}

{%- set overstock_days = var('overstock_cover_days', 90) -%}

with

plans as (

    select * from {{ ref('replenishment_plan') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where is_paid and sku_id is not null

),

lead_times as (

    select * from {{ ref('supplier_lead_times') }}

),

stock as (

    select
        sku_id,
        max(snapshot_date) as snapshot_date,
        max(category) as category,
        max(sku_class) as sku_class,
        max(forecast_method) as forecast_method,
        count(*) as warehouse_count,
        sum(on_hand_qty) as on_hand_qty,
        sum(available_qty) as available_qty,
        sum(in_transit_qty) as in_transit_qty,
        sum(forecast_daily_units) as forecast_daily_units,
        sum(safety_stock_qty) as safety_stock_qty,
        sum(reorder_point_qty) as reorder_point_qty,
        sum(order_up_to_qty) as order_up_to_qty,
        sum(suggested_reorder_qty) as suggested_reorder_qty,
        max(service_level) as service_level
    from plans
    group by sku_id

),

sales as (

    select
        order_lines.sku_id,
        sum(order_lines.quantity) as units_sold_28d
    from order_lines
    inner join (select max(snapshot_date) as snapshot_date from stock) as latest
        on order_lines.paid_date between {{ dbt.dateadd('day', -27, 'latest.snapshot_date') }} and latest.snapshot_date
    group by order_lines.sku_id

),

measured as (

    select
        stock.*,
        coalesce(sales.units_sold_28d, 0) as units_sold_28d,
        cast(coalesce(sales.units_sold_28d, 0) / 28.0 as decimal(18, 4)) as daily_velocity,
        lead_times.lead_time_days as measured_lead_time_days,
        lead_times.lead_time_source
    from stock
    left join sales
        on stock.sku_id = sales.sku_id
    left join lead_times
        on stock.sku_id = lead_times.sku_id

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
        cast(forecast_daily_units as decimal(18, 2)) as forecast_daily_units,
        sku_class,
        forecast_method,
        cast(available_qty / nullif(forecast_daily_units, 0) as decimal(18, 1)) as days_of_cover,
        case
            when coalesce(available_qty, 0) <= 0 then 'out_of_stock'
            when coalesce(forecast_daily_units, 0) = 0 then 'no_sales'
            when available_qty + in_transit_qty < reorder_point_qty then 'stockout_risk'
            when available_qty / forecast_daily_units > {{ overstock_days }} then 'overstock'
            else 'healthy'
        end as stock_status,
        cast(ceil(coalesce(measured_lead_time_days, {{ var('replenishment_lead_time_days', 15) }})) as integer)
            as lead_time_days,
        coalesce(lead_time_source, 'default') as lead_time_source,
        service_level,
        cast(safety_stock_qty as integer) as safety_stock_qty,
        cast(reorder_point_qty as integer) as reorder_point_qty,
        cast(order_up_to_qty as integer) as order_up_to_qty,
        cast(suggested_reorder_qty as integer) as suggested_reorder_qty
    from measured

)

select * from final
