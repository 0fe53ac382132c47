-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
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
    date '1970-01-01' as metric_date,
    cast(0 as bigint) as units_sold,
    cast(0 as decimal(18,2)) as cogs,
    cast(0 as decimal(18,2)) as gross_margin,
    cast(0 as bigint) as paying_customers,
    cast(0 as bigint) as new_customers,
    cast(0 as bigint) as returning_customers,
    cast(0 as double) as average_order_value,
    cast(0 as double) as refund_rate,
    cast(0 as double) as repeat_purchase_rate,
    cast(0 as double) as gross_margin_rate,
    true as is_placeholder
where not exists (select 1 from main.daily_commerce_kpis)
