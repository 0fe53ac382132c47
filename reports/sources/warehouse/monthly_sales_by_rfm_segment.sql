-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    metric_month,
    rfm_segment,
    paid_orders,
    net_sales,
    paying_customers,
    is_placeholder
from main.monthly_sales_by_rfm_segment
order by metric_month, rfm_segment
