-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    receiver_province,
    paid_gmv,
    net_sales,
    paid_orders,
    paying_customers,
    average_order_value
from main.sales_by_province
