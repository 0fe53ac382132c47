{#-
    One row per refunded Tmall order, as the order report shows refunds: a paid order with 退款金额 above zero.
    The order report carries no refund timestamp and no refund id, so a refund is one amount per order and is
    dated by its order's payment date (refund_attributed_date = paid_date), the rule of the refund metrics.
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_refunded

),

final as (

    select
        order_id,
        customer_key,
        shop_id,
        shop_name,
        order_status,
        is_closed,
        receiver_province,
        paid_at,
        paid_date,
        paid_date as refund_attributed_date,
        paid_amount,
        refund_amount,
        cast(refund_amount / nullif(paid_amount, 0) as decimal(9, 4)) as refund_share_of_paid,
        refund_amount >= paid_amount as is_full_refund
    from orders

)

select * from final
