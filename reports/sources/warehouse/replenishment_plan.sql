-- The replenishment suggestion per SKU and warehouse from the demand forecast, each explained in one line
-- (marts.replenishment_plan). An empty table gives one placeholder row (reports/README.md).
select
    replenishment_plan_id,
    sku_id,
    warehouse_name,
    snapshot_date,
    forecast_daily_units,
    lead_time_days,
    lead_time_sd_days,
    review_days,
    service_level,
    safety_stock_qty,
    reorder_point_qty,
    order_up_to_qty,
    available_qty,
    in_transit_qty,
    inventory_position_qty,
    suggested_reorder_qty,
    replenishment_explanation,
    false as is_placeholder
from main.replenishment_plan
union all
select
    '' as replenishment_plan_id,
    '' as sku_id,
    '' as warehouse_name,
    date '1970-01-01' as snapshot_date,
    cast(0 as decimal(18,2)) as forecast_daily_units,
    cast(0 as decimal(18,1)) as lead_time_days,
    cast(0 as decimal(18,1)) as lead_time_sd_days,
    cast(0 as integer) as review_days,
    cast(0 as decimal(5,3)) as service_level,
    cast(0 as integer) as safety_stock_qty,
    cast(0 as integer) as reorder_point_qty,
    cast(0 as integer) as order_up_to_qty,
    cast(0 as bigint) as available_qty,
    cast(0 as bigint) as in_transit_qty,
    cast(0 as bigint) as inventory_position_qty,
    cast(0 as integer) as suggested_reorder_qty,
    '' as replenishment_explanation,
    true as is_placeholder
where not exists (select 1 from main.replenishment_plan)
