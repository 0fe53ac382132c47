-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_month,
    rfm_segment,
    paid_orders,
    net_sales,
    paying_customers
from main.monthly_sales_by_rfm_segment
