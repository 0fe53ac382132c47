-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_date,
    shipped_orders,
    ship_within_48h_rate,
    avg_pay_to_ship_hours,
    false as is_placeholder
from main.daily_fulfilment
union all
select
    null as metric_date,
    null as shipped_orders,
    null as ship_within_48h_rate,
    null as avg_pay_to_ship_hours,
    true as is_placeholder
where not exists (select 1 from main.daily_fulfilment)
