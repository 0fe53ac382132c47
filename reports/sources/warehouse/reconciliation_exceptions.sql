-- Reconciliation items that are not matched one to one (marts.fct_order_reconciliation).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    false as is_placeholder
from main.reconciliation_exceptions
union all
select
    null as reconciliation_item_id,
    null as item_source,
    null as order_id,
    null as erp_order_id,
    null as erp_order_count,
    null as shop_name,
    null as reconciliation_date,
    null as reconciliation_category,
    null as tmall_amount,
    null as group_tmall_amount,
    null as group_erp_amount,
    null as amount_at_stake,
    true as is_placeholder
where not exists (select 1 from main.reconciliation_exceptions)
