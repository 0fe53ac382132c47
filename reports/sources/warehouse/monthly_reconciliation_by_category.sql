-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    metric_month,
    reconciliation_category,
    reconciliation_items,
    reconciliation_amount_at_stake,
    is_placeholder
from main.monthly_reconciliation_by_category
order by metric_month, reconciliation_category
