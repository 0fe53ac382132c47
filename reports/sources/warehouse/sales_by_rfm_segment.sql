-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    rfm_segment,
    paying_customers,
    paid_orders,
    net_sales,
    average_order_value,
    is_placeholder
from main.sales_by_rfm_segment
order by rfm_segment
