-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_month,
    reconciliation_category,
    reconciliation_items,
    reconciliation_amount_at_stake
from main.monthly_reconciliation_by_category
