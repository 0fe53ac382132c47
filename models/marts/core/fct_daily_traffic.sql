{#-
    One row per shop and day of 生意参谋 shop-level traffic (stg_tmall__traffic_daily), with the order funnel of the
    same shop and day beside it: visitors → add-to-cart buyers → buyers who placed an order → buyers who paid.
    访客数 and 支付买家数 are 生意参谋's own daily unique counts; ordering_customers and paying_customers are counted
    here from fct_orders (distinct hashed buyers by creation and by payment date), so the two paying counts can
    differ slightly (生意参谋 counts by its own payment attribution).
-#}

with

traffic as (

    select * from {{ ref('stg_tmall__traffic_daily') }}

),

shops as (

    select * from {{ ref('dim_shops') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

ordering as (

    select
        shop_name,
        created_date as traffic_date,
        count(distinct customer_key) as ordering_customers
    from orders
    group by shop_name, created_date

),

paying as (

    select
        shop_name,
        paid_date as traffic_date,
        count(distinct customer_key) as paying_customers
    from orders
    where is_paid
    group by shop_name, paid_date

),

final as (

    select
        traffic.shop_traffic_day_id,
        traffic.traffic_date,
        shops.shop_id,
        traffic.shop_name,
        traffic.visitors,
        traffic.page_views,
        traffic.add_to_cart_buyers,
        traffic.favourite_buyers,
        traffic.paying_buyers,
        traffic.payment_amount,
        traffic.payment_conversion_rate as reported_conversion_rate,
        cast(coalesce(ordering.ordering_customers, 0) as bigint) as ordering_customers,
        cast(coalesce(paying.paying_customers, 0) as bigint) as paying_customers
    from traffic
    left join shops
        on traffic.shop_name = shops.shop_name
    left join ordering
        on traffic.shop_name = ordering.shop_name and traffic.traffic_date = ordering.traffic_date
    left join paying
        on traffic.shop_name = paying.shop_name and traffic.traffic_date = paying.traffic_date

)

select * from final
