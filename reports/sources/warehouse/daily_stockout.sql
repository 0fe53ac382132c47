-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    metric_date,
    stockout_sku_rate,
    false as is_placeholder
from main.daily_stockout
union all
select
    date '1970-01-01' as metric_date,
    cast(0 as double) as stockout_sku_rate,
    true as is_placeholder
where not exists (select 1 from main.daily_stockout)
