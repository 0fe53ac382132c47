-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    metric_week,
    paid_gmv,
    net_sales,
    paid_orders,
    average_order_value,
    refund_rate,
    is_placeholder
from main.weekly_sales
order by metric_week
