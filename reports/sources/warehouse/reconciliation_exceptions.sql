-- Reconciliation items that are not matched one to one (marts.fct_order_reconciliation).
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
    amount_at_stake
from main.reconciliation_exceptions
