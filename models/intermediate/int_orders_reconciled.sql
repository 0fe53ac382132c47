{#-
    Tmall orders reconciled with ERP sales orders: one row per reconciliation item, either a paid Tmall order or
    an active ERP order whose Tmall order id(s) the order report does not have. Categories, first that applies:

    closed_before_erp  paid Tmall order, closed and fully refunded, with no active ERP order: nothing to fulfil
    missing_in_erp     paid Tmall order with no active ERP order
    missing_in_tmall   active ERP order none of whose 线上订单号 is a Tmall order in the order report
    amount_mismatch    the Tmall total (总金额) of the group differs from the ERP 应付金额 of the group by ≥ 0.01
    merged             one ERP order fulfils several Tmall orders, amounts agree
    split              several ERP orders fulfil one Tmall order, amounts agree
    matched            one ERP order for one Tmall order, amounts agree

    Nothing is reconciled when the ERP sales orders are empty (Tmall-only landing folder).
    A group is one Tmall order with its ERP orders, or one merged ERP order with its Tmall orders. Money at stake:
    missing_in_erp → the Tmall net amount (paid − refunded); missing_in_tmall → the ERP 应付金额;
    amount_mismatch → |Tmall − ERP| of the group, carried by the group's first Tmall order (others 0); else 0.

    A table, not a view: five data tests and fct_order_reconciliation read it, and as a view each would recompute
    the whole reconciliation (measured at 1M order lines: the tests on the view took longer than the mart).
-#}

{{
    config(
        materialized='table',
    )
}}

with

tmall_orders as (

    select * from {{ ref('fct_orders') }}

),

erp_orders as (

    select * from {{ ref('int_erp_sales_orders_unioned') }}
    where is_active

),

erp_links as (

    select
        erp_order_id,
        {{ split_to_rows('tmall_order_ids', ',') }} as order_id,
        {{ split_count('tmall_order_ids', ',') }} as erp_tmall_order_count,
        payable_amount
    from erp_orders

),

erp_links_clean as (

    select * from erp_links where order_id <> ''

),

-- without any ERP sales orders (a landing folder with Tmall exports only) there is nothing to reconcile: no items,
-- rather than every order "missing in ERP"
erp_presence as (

    select count(*) > 0 as has_erp_orders from {{ ref('int_erp_sales_orders_unioned') }}

),

tmall_paid as (

    select tmall_orders.*
    from tmall_orders
    cross join erp_presence
    where tmall_orders.is_paid and erp_presence.has_erp_orders

),

per_tmall_order as (

    select
        tmall_paid.order_id,
        count(distinct erp_links_clean.erp_order_id) as erp_order_count,
        max(erp_links_clean.erp_tmall_order_count) as max_tmall_orders_per_erp_order,
        min(erp_links_clean.erp_order_id) as first_erp_order_id
    from tmall_paid
    left join erp_links_clean
        on tmall_paid.order_id = erp_links_clean.order_id
    group by tmall_paid.order_id

),

-- the group of a Tmall order: itself (one-to-one and split) or the merged ERP order's Tmall orders
group_keys as (

    select
        per_tmall_order.order_id,
        case
            when per_tmall_order.max_tmall_orders_per_erp_order > 1 then 'erp:' || per_tmall_order.first_erp_order_id
            else 'tmall:' || per_tmall_order.order_id
        end as group_key
    from per_tmall_order

),

group_tmall_amounts as (

    select
        group_keys.group_key,
        sum(tmall_paid.total_amount) as tmall_amount,
        min(group_keys.order_id) as first_order_id
    from group_keys
    inner join tmall_paid
        on group_keys.order_id = tmall_paid.order_id
    group by group_keys.group_key

),

group_erp_orders as (

    select distinct
        group_keys.group_key,
        erp_links_clean.erp_order_id,
        erp_links_clean.payable_amount
    from group_keys
    inner join erp_links_clean
        on group_keys.order_id = erp_links_clean.order_id

),

group_erp_amounts as (

    select
        group_key,
        sum(payable_amount) as erp_amount
    from group_erp_orders
    group by group_key

),

tmall_items as (

    select
        'tmall:' || tmall_paid.order_id as reconciliation_item_id,
        tmall_paid.order_id,
        per_tmall_order.first_erp_order_id as erp_order_id,
        per_tmall_order.erp_order_count,
        tmall_paid.shop_name,
        tmall_paid.paid_date as reconciliation_date,
        cast(tmall_paid.total_amount as decimal(18, 2)) as tmall_amount,
        cast(group_erp_amounts.erp_amount as decimal(18, 2)) as group_erp_amount,
        cast(group_tmall_amounts.tmall_amount as decimal(18, 2)) as group_tmall_amount,
        tmall_paid.net_amount,
        tmall_paid.is_closed,
        per_tmall_order.max_tmall_orders_per_erp_order,
        group_tmall_amounts.first_order_id = tmall_paid.order_id as is_first_in_group
    from tmall_paid
    inner join per_tmall_order
        on tmall_paid.order_id = per_tmall_order.order_id
    inner join group_keys
        on tmall_paid.order_id = group_keys.order_id
    inner join group_tmall_amounts
        on group_keys.group_key = group_tmall_amounts.group_key
    left join group_erp_amounts
        on group_keys.group_key = group_erp_amounts.group_key

),

tmall_categorised as (

    select
        reconciliation_item_id,
        'tmall' as item_source,
        order_id,
        erp_order_id,
        erp_order_count,
        shop_name,
        reconciliation_date,
        tmall_amount,
        group_tmall_amount,
        group_erp_amount,
        case
            when erp_order_count = 0 and is_closed and net_amount = 0 then 'closed_before_erp'
            when erp_order_count = 0 then 'missing_in_erp'
            when abs(group_tmall_amount - group_erp_amount) >= 0.01 then 'amount_mismatch'
            when max_tmall_orders_per_erp_order > 1 then 'merged'
            when erp_order_count > 1 then 'split'
            else 'matched'
        end as reconciliation_category,
        net_amount,
        is_first_in_group
    from tmall_items

),

erp_only as (

    select
        'erp:' || erp_orders.erp_order_id as reconciliation_item_id,
        'erp' as item_source,
        cast(null as {{ dbt.type_string() }}) as order_id,
        erp_orders.erp_order_id,
        1 as erp_order_count,
        erp_orders.shop_name,
        cast(coalesce(erp_orders.paid_at, erp_orders.ordered_at) as date) as reconciliation_date,
        cast(null as decimal(18, 2)) as tmall_amount,
        cast(null as decimal(18, 2)) as group_tmall_amount,
        cast(erp_orders.payable_amount as decimal(18, 2)) as group_erp_amount,
        'missing_in_tmall' as reconciliation_category,
        cast(null as decimal(18, 2)) as net_amount,
        true as is_first_in_group
    from erp_orders
    where not exists (
            select 1
            from erp_links_clean
            inner join tmall_orders
                on erp_links_clean.order_id = tmall_orders.order_id
            where erp_links_clean.erp_order_id = erp_orders.erp_order_id
        )

),

items as (

    select * from tmall_categorised
    union all
    select * from erp_only

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
        reconciliation_category,
        reconciliation_category in ('matched', 'merged', 'split') as is_reconciled,
        reconciliation_category <> 'closed_before_erp' as is_expected_in_both,
        tmall_amount,
        group_tmall_amount,
        group_erp_amount,
        cast(
            case reconciliation_category
                when 'missing_in_erp' then net_amount
                when 'missing_in_tmall' then group_erp_amount
                when 'amount_mismatch'
                    then
                        case when is_first_in_group then abs(group_tmall_amount - group_erp_amount) else 0 end
                else 0
            end
            as decimal(18, 2)
        ) as amount_at_stake
    from items

)

select * from final
