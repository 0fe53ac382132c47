-- Latest stock per SKU with days of cover and the replenishment suggestion from the demand forecast
-- (marts.inventory_health).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
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
    is_placeholder
from main.inventory_health
order by sku_id
