-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    metric_month,
    paying_customers,
    new_customers,
    returning_customers,
    repeat_purchase_rate,
    average_order_value,
    is_placeholder
from main.monthly_customer_kpis
order by metric_month
