-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    rfm_segment,
    paying_customers,
    paid_orders,
    net_sales,
    average_order_value
from main.sales_by_rfm_segment
