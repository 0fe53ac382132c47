-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_month,
    paying_customers,
    new_customers,
    returning_customers,
    repeat_purchase_rate,
    average_order_value
from main.monthly_customer_kpis
