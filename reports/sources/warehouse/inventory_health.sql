-- Latest stock per SKU with days of cover and the replenishment suggestion from the demand forecast
-- (marts.inventory_health).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    sku_id,
    snapshot_date,
    category,
    warehouse_count,
    on_hand_qty,
    available_qty,
    in_transit_qty,
    units_sold_28d,
    daily_velocity,
    forecast_daily_units,
    sku_class,
    forecast_method,
    days_of_cover,
    stock_status,
    lead_time_days,
    lead_time_source,
    safety_stock_qty,
    reorder_point_qty,
    order_up_to_qty,
    suggested_reorder_qty,
    false as is_placeholder
from main.inventory_health
union all
select
    '' as sku_id,
    date '1970-01-01' as snapshot_date,
    '' as category,
    cast(0 as bigint) as warehouse_count,
    cast(0 as hugeint) as on_hand_qty,
    cast(0 as hugeint) as available_qty,
    cast(0 as hugeint) as in_transit_qty,
    cast(0 as hugeint) as units_sold_28d,
    cast(0 as decimal(18,4)) as daily_velocity,
    cast(0 as decimal(18,2)) as forecast_daily_units,
    '' as sku_class,
    '' as forecast_method,
    cast(0 as decimal(18,1)) as days_of_cover,
    '' as stock_status,
    cast(0 as integer) as lead_time_days,
    '' as lead_time_source,
    cast(0 as integer) as safety_stock_qty,
    cast(0 as integer) as reorder_point_qty,
    cast(0 as integer) as order_up_to_qty,
    cast(0 as integer) as suggested_reorder_qty,
    true as is_placeholder
where not exists (select 1 from main.inventory_health)
