-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_week,
    paid_gmv,
    net_sales,
    paid_orders,
    average_order_value,
    refund_rate
from main.weekly_sales
