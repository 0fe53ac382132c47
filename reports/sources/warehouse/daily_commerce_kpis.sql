-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
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
    gross_margin_rate,
    is_placeholder
from main.daily_commerce_kpis
order by metric_date
