-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_month,
    shop_name,
    paid_gmv,
    net_sales,
    paid_orders,
    average_order_value,
    refund_rate,
    false as is_placeholder
from main.monthly_sales_by_shop
union all
select
    null as metric_month,
    null as shop_name,
    null as paid_gmv,
    null as net_sales,
    null as paid_orders,
    null as average_order_value,
    null as refund_rate,
    true as is_placeholder
where not exists (select 1 from main.monthly_sales_by_shop)
