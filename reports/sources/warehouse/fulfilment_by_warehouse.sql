-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    warehouse_name,
    shipped_orders,
    ship_within_48h_rate,
    avg_pay_to_ship_hours
from main.fulfilment_by_warehouse
