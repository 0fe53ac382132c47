-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_month,
    rfm_segment,
    paid_orders,
    net_sales,
    paying_customers,
    false as is_placeholder
from main.monthly_sales_by_rfm_segment
union all
select
    null as metric_month,
    null as rfm_segment,
    null as paid_orders,
    null as net_sales,
    null as paying_customers,
    true as is_placeholder
where not exists (select 1 from main.monthly_sales_by_rfm_segment)
