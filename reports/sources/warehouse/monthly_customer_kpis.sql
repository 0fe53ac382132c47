-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
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
    date '1970-01-01' as metric_month,
    cast(0 as bigint) as paying_customers,
    cast(0 as bigint) as new_customers,
    cast(0 as bigint) as returning_customers,
    cast(0 as double) as repeat_purchase_rate,
    cast(0 as double) as average_order_value,
    true as is_placeholder
where not exists (select 1 from main.monthly_customer_kpis)
