-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_date,
    warehouse_name,
    shipped_orders,
    ship_within_48h_rate
from main.daily_fulfilment_by_warehouse
