-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    reconciliation_category,
    reconciliation_items,
    reconciliation_amount_at_stake
from main.reconciliation_by_category
