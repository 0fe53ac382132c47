-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_month,
    shop_name,
    paid_gmv,
    net_sales,
    paid_orders,
    average_order_value,
    refund_rate
from main.monthly_sales_by_shop
