-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    metric_month,
    receiver_province,
    paid_gmv,
    net_sales,
    paid_orders,
    paying_customers,
    average_order_value,
    is_placeholder
from main.monthly_sales_by_province
order by metric_month, receiver_province
