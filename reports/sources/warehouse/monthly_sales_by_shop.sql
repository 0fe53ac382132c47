-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
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
    date '1970-01-01' as metric_month,
    '' as shop_name,
    cast(0 as decimal(18,2)) as paid_gmv,
    cast(0 as decimal(18,2)) as net_sales,
    cast(0 as bigint) as paid_orders,
    cast(0 as double) as average_order_value,
    cast(0 as double) as refund_rate,
    true as is_placeholder
where not exists (select 1 from main.monthly_sales_by_shop)
