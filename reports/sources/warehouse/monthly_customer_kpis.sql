-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_month,
    paying_customers,
    new_customers,
    returning_customers,
    repeat_purchase_rate,
    average_order_value,
    false as is_placeholder
from main.monthly_customer_kpis
union all
select
    null as metric_month,
    null as paying_customers,
    null as new_customers,
    null as returning_customers,
    null as repeat_purchase_rate,
    null as average_order_value,
    true as is_placeholder
where not exists (select 1 from main.monthly_customer_kpis)
