{#-
    The finance view of the Tmall ↔ ERP order reconciliation (int_orders_reconciled): one row per reconciliation
    item with its category and the money at stake, plus the reconciliation month for period summaries.
-#}

with

reconciled as (

    select * from {{ ref('int_orders_reconciled') }}

),

final as (

    select
        reconciliation_item_id,
        item_source,
        order_id,
        erp_order_id,
        erp_order_count,
        shop_name,
        reconciliation_date,
        cast(date_trunc('month', reconciliation_date) as date) as reconciliation_month,
        reconciliation_category,
        is_reconciled,
        is_expected_in_both,
        tmall_amount,
        group_tmall_amount,
        group_erp_amount,
        amount_at_stake
    from reconciled

)

select * from final
