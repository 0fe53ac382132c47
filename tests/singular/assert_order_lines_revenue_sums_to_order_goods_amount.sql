{#-
    The discount allocation is exact: for every order with lines, the allocated line revenue of its lines in
    fct_order_lines sums to the order's goods amount (买家应付货款) in fct_orders, to the cent.
    Returns the orders where it does not.
-#}

with

line_totals as (

    select
        order_id,
        sum(line_revenue) as line_revenue_total
    from {{ ref('fct_order_lines') }}
    group by order_id

),

orders as (

    select
        order_id,
        goods_amount
    from {{ ref('fct_orders') }}

),

final as (

    select
        orders.order_id,
        orders.goods_amount,
        line_totals.line_revenue_total
    from orders
    inner join line_totals
        on orders.order_id = line_totals.order_id
    where line_totals.line_revenue_total <> orders.goods_amount

)

select * from final
