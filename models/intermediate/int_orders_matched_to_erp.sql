{#-
    One row per Tmall order id that appears on an active ERP sales order.

    An ERP order lists the Tmall order(s) it fulfils in 线上订单号; a merged ERP order lists several (`a,b`), a
    split Tmall order appears on several ERP orders. Superseded ERP orders (被合并 merged away, 被拆分 split up)
    and cancelled ones (已取消) are not matches: only the orders the ERP still works on (`is_active`) count.
-#}

with

erp_orders as (

    select * from {{ ref('int_erp_sales_orders_unioned') }}
    where is_active

),

tmall_order_ids as (

    select
        erp_order_id,
        {{ split_to_rows('tmall_order_ids', ',') }} as tmall_order_id,
        ordered_at,
        shipped_at,
        is_shipped
    from erp_orders

),

ranked as (

    select
        *,
        row_number() over (
            partition by tmall_order_id
            order by ordered_at asc nulls last, erp_order_id asc
        ) as erp_order_rank
    from tmall_order_ids
    where tmall_order_id <> ''

),

final as (

    select
        tmall_order_id as order_id,
        max(case when erp_order_rank = 1 then erp_order_id end) as erp_order_id,
        count(distinct erp_order_id) as erp_order_count,
        min(shipped_at) as erp_shipped_at,
        bool_or(coalesce(is_shipped, false)) as is_erp_shipped
    from ranked
    group by tmall_order_id

)

select * from final
