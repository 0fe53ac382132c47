-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    metric_month,
    warehouse_name,
    shipped_orders,
    ship_within_48h_rate,
    avg_pay_to_ship_hours,
    false as is_placeholder
from main.monthly_fulfilment_by_warehouse
union all
select
    date '1970-01-01' as metric_month,
    '' as warehouse_name,
    cast(0 as bigint) as shipped_orders,
    cast(0 as double) as ship_within_48h_rate,
    cast(0 as double) as avg_pay_to_ship_hours,
    true as is_placeholder
where not exists (select 1 from main.monthly_fulfilment_by_warehouse)
