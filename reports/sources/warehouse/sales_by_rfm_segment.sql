-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    rfm_segment,
    paying_customers,
    paid_orders,
    net_sales,
    average_order_value,
    false as is_placeholder
from main.sales_by_rfm_segment
union all
select
    null as rfm_segment,
    null as paying_customers,
    null as paid_orders,
    null as net_sales,
    null as average_order_value,
    true as is_placeholder
where not exists (select 1 from main.sales_by_rfm_segment)
