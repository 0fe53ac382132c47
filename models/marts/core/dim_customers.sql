{#-
    One row per customer: the salted hash of the Tmall buyer nick (nothing personal is stored). Orders without a
    buyer nick have no customer and are not counted here. Province and city are those of the latest order.
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where customer_key is not null

),

final as (

    select
        customer_key,
        min(created_at) as first_order_at,
        max(created_at) as latest_order_at,
        min(paid_at) as first_paid_at,
        max(paid_at) as latest_paid_at,
        count(*) as order_count,
        count(*) filter (where is_paid) as paid_order_count,
        cast(sum(paid_amount) as decimal(18, 2)) as lifetime_paid_amount,
        cast(sum(net_amount) as decimal(18, 2)) as lifetime_net_amount,
        max_by(receiver_province, created_at) as receiver_province,
        max_by(receiver_city, created_at) as receiver_city
    from orders
    group by customer_key

)

select * from final
