{#-
    One row per successful Tmall refund. Refunds come from the refund export (退款管理) and the TOP API
    (int_tmall_refunds_unioned): each carries its refund id, sub-order, reason and times, and is dated by when it
    happened (refund_date = 退款完结时间, else 退款的申请时间). A refunded order (fct_orders.is_refunded) for which no
    channel delivered a successful refund record is kept as one order-level row (refund_id null): the order report
    gives one 退款金额 per order and no refund time, so that row is dated by the order's payment date, the old rule.
    Every row also carries the order's payment date (paid_date), so refunds can be counted by either date.
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}

),

refund_records as (

    select * from {{ ref('int_tmall_refunds_unioned') }}
    where is_refund_successful

),

from_records as (

    select
        refund_records.refund_id as refund_key,
        refund_records.refund_id,
        refund_records.order_id,
        refund_records.sub_order_id,
        coalesce(orders.customer_key, refund_records.customer_key) as customer_key,
        orders.shop_id,
        orders.shop_name,
        orders.order_status,
        orders.is_closed,
        orders.receiver_province,
        coalesce(orders.paid_at, refund_records.order_paid_at) as paid_at,
        refund_records.applied_at,
        refund_records.finished_at,
        cast(coalesce(refund_records.finished_at, refund_records.applied_at) as date) as refund_date,
        case when refund_records.finished_at is not null then 'refund_finished' else 'refund_applied' end
            as refund_date_source,
        refund_records.refund_reason,
        refund_records.refund_phase,
        refund_records.has_good_return,
        refund_records.refund_amount,
        orders.paid_amount as order_paid_amount,
        orders.refund_amount >= orders.paid_amount as is_full_refund,
        refund_records.source_export
    from refund_records
    left join orders
        on refund_records.order_id = orders.order_id

),

orders_without_records as (

    select
        'order:' || orders.order_id as refund_key,
        cast(null as {{ dbt.type_string() }}) as refund_id,
        orders.order_id,
        cast(null as {{ dbt.type_string() }}) as sub_order_id,
        orders.customer_key,
        orders.shop_id,
        orders.shop_name,
        orders.order_status,
        orders.is_closed,
        orders.receiver_province,
        orders.paid_at,
        cast(null as timestamp) as applied_at,
        cast(null as timestamp) as finished_at,
        orders.paid_date as refund_date,
        'order_paid' as refund_date_source,
        cast(null as {{ dbt.type_string() }}) as refund_reason,
        cast(null as {{ dbt.type_string() }}) as refund_phase,
        cast(null as boolean) as has_good_return,
        orders.refund_amount,
        orders.paid_amount as order_paid_amount,
        orders.refund_amount >= orders.paid_amount as is_full_refund,
        'order_report' as source_export
    from orders
    where
        orders.is_refunded
        and orders.order_id not in (select order_id from refund_records)

),

unioned as (

    select * from from_records
    union all
    select * from orders_without_records

),

final as (

    select
        refund_key,
        refund_id,
        order_id,
        sub_order_id,
        customer_key,
        shop_id,
        shop_name,
        order_status,
        is_closed,
        receiver_province,
        paid_at,
        cast(paid_at as date) as paid_date,
        applied_at,
        finished_at,
        refund_date,
        refund_date_source,
        refund_reason,
        refund_phase,
        has_good_return,
        cast(refund_amount as decimal(18, 2)) as refund_amount,
        cast(order_paid_amount as decimal(18, 2)) as order_paid_amount,
        is_full_refund,
        source_export
    from unioned

)

select * from final
