-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_date,
    units_sold,
    cogs,
    gross_margin,
    paying_customers,
    new_customers,
    returning_customers,
    average_order_value,
    refund_rate,
    repeat_purchase_rate,
    gross_margin_rate
from main.daily_commerce_kpis
