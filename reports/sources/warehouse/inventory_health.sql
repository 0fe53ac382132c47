-- Latest stock per SKU with days of cover and a replenishment suggestion (marts.inventory_health).
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
    days_of_cover,
    stock_status,
    lead_time_days,
    safety_stock_qty,
    suggested_reorder_qty
from main.inventory_health
