-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
select
    metric_month,
    reconciliation_category,
    reconciliation_items,
    reconciliation_amount_at_stake,
    false as is_placeholder
from main.monthly_reconciliation_by_category
union all
select
    null as metric_month,
    null as reconciliation_category,
    null as reconciliation_items,
    null as reconciliation_amount_at_stake,
    true as is_placeholder
where not exists (select 1 from main.monthly_reconciliation_by_category)
