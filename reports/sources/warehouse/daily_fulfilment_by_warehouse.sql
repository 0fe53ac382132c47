-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    metric_date,
    warehouse_name,
    shipped_orders,
    ship_within_48h_rate,
    is_placeholder
from main.daily_fulfilment_by_warehouse
order by metric_date, warehouse_name
