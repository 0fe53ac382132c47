-- The replenishment suggestion per SKU and warehouse from the demand forecast, each explained in one line
-- (marts.replenishment_plan). An empty table gives one placeholder row (reports/README.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
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
    is_placeholder
from main.replenishment_plan
order by sku_id, warehouse_name
