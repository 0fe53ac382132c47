-- Reconciliation items that are not matched one to one (marts.fct_order_reconciliation).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
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
    '' as reconciliation_item_id,
    '' as item_source,
    '' as order_id,
    '' as erp_order_id,
    cast(0 as bigint) as erp_order_count,
    '' as shop_name,
    date '1970-01-01' as reconciliation_date,
    '' as reconciliation_category,
    cast(0 as decimal(18,2)) as tmall_amount,
    cast(0 as decimal(18,2)) as group_tmall_amount,
    cast(0 as decimal(18,2)) as group_erp_amount,
    cast(0 as decimal(18,2)) as amount_at_stake,
    true as is_placeholder
where not exists (select 1 from main.reconciliation_exceptions)
