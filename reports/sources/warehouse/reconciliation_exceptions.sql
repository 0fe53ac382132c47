-- Reconciliation items that are not matched one to one (marts.fct_order_reconciliation).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    reconciliation_item_id,
    item_source,
    order_id,
    erp_order_id,
    erp_order_count,
    shop_name,
    reconciliation_date,
    reconciliation_category,
    tmall_amount,
    group_tmall_amount,
    group_erp_amount,
    amount_at_stake,
    is_placeholder
from main.reconciliation_exceptions
order by reconciliation_category, amount_at_stake desc, reconciliation_item_id
