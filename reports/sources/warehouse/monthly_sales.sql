-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_month,
    paid_gmv,
    net_sales,
    paid_orders,
    average_order_value,
    refund_rate,
    gross_margin,
    gross_margin_rate,
    false as is_placeholder
from main.monthly_sales
union all
select
    null as metric_month,
    null as paid_gmv,
    null as net_sales,
    null as paid_orders,
    null as average_order_value,
    null as refund_rate,
    null as gross_margin,
    null as gross_margin_rate,
    true as is_placeholder
where not exists (select 1 from main.monthly_sales)
