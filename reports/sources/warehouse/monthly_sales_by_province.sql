-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_month,
    receiver_province,
    paid_gmv,
    net_sales,
    paid_orders,
    paying_customers,
    average_order_value,
    false as is_placeholder
from main.monthly_sales_by_province
union all
select
    null as metric_month,
    null as receiver_province,
    null as paid_gmv,
    null as net_sales,
    null as paid_orders,
    null as paying_customers,
    null as average_order_value,
    true as is_placeholder
where not exists (select 1 from main.monthly_sales_by_province)
