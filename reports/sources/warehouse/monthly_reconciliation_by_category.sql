-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    metric_month,
    reconciliation_category,
    reconciliation_items,
    reconciliation_amount_at_stake,
    false as is_placeholder
from main.monthly_reconciliation_by_category
union all
select
    date '1970-01-01' as metric_month,
    '' as reconciliation_category,
    cast(0 as bigint) as reconciliation_items,
    cast(0 as decimal(18,2)) as reconciliation_amount_at_stake,
    true as is_placeholder
where not exists (select 1 from main.monthly_reconciliation_by_category)
