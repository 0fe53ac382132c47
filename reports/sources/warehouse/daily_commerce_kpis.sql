-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    false as is_placeholder
from main.daily_commerce_kpis
union all
select
    null as metric_date,
    null as units_sold,
    null as cogs,
    null as gross_margin,
    null as paying_customers,
    null as new_customers,
    null as returning_customers,
    null as average_order_value,
    null as refund_rate,
    null as repeat_purchase_rate,
    null as gross_margin_rate,
    true as is_placeholder
where not exists (select 1 from main.daily_commerce_kpis)
