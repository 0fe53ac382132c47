-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_date,
    stockout_sku_rate,
    false as is_placeholder
from main.daily_stockout
union all
select
    null as metric_date,
    null as stockout_sku_rate,
    true as is_placeholder
where not exists (select 1 from main.daily_stockout)
