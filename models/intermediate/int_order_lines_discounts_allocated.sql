{#-
    Spreads each order's order-level discount over its lines, in proportion to the line's list amount.

    order discount  = sum(unit_price × quantity) over the order's lines − 买家应付货款 (goods_amount)
    line share      = order discount × line list amount / order list amount, rounded half away from zero
                      to the cent (computed exactly in integer cents)
    remainder       = order discount − sum of line shares, added to the line with the largest list amount
                      (ties: the lowest line number)
    line revenue    = line list amount − line share

    So the lines of an order sum to its goods amount to the cent. A negative discount (a seller price
    adjustment upwards) is spread the same way. Lines whose order is not in the order report get no discount
    (their order goods amount is unknown) and are flagged.

    Incremental (macros/incremental.sql): a run recomputes the orders whose line set or order version was loaded in
    the window and replaces each such order's lines (delete+insert on order_id).
-#}
{{
    config(
        materialized=incremental_materialization('delete+insert'),
        incremental_strategy='delete+insert',
        unique_key='order_id',
        on_schema_change='fail',
    )
}}
{%- set order_inputs = [
    [ref('int_tmall_order_items_unioned'), 'order_id'],
    [ref('int_tmall_orders_unioned'), 'order_id'],
] %}

with

order_lines as (

    select * from {{ ref('int_tmall_order_items_unioned') }}
    {{- only_keys_loaded_since('order_id', order_inputs) }}

),

orders as (

    select * from {{ ref('int_tmall_orders_unioned') }}
    {{- only_keys_loaded_since('order_id', order_inputs) }}

),

line_amounts as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.line_number,
        order_lines.unit_price,
        order_lines.quantity,
        cast(coalesce(order_lines.unit_price, 0) * coalesce(order_lines.quantity, 0) as decimal(18, 2))
            as list_amount,
        orders.goods_amount as order_goods_amount,
        orders.order_id is not null as has_order_record
    from order_lines
    left join orders
        on order_lines.order_id = orders.order_id

),

order_totals as (

    select
        *,
        sum(list_amount) over (partition by order_id) as order_list_amount,
        row_number() over (partition by order_id order by list_amount desc, line_number asc) as list_amount_rank
    from line_amounts

),

in_cents as (

    select
        *,
        cast(round(list_amount * 100) as {{ type_huge_integer() }}) as list_cents,
        cast(round(order_list_amount * 100) as {{ type_huge_integer() }}) as order_list_cents,
        cast(round(coalesce(order_list_amount - order_goods_amount, 0) * 100) as {{ type_huge_integer() }})
            as order_discount_cents
    from order_totals

),

proportional_shares as (

    select
        *,
        case
            when order_list_cents = 0 then cast(0 as {{ type_huge_integer() }})
            else sign(order_discount_cents) * {{ integer_divide(
                '2 * abs(order_discount_cents) * list_cents + order_list_cents',
                '2 * order_list_cents'
            ) }}
        end as proportional_discount_cents
    from in_cents

),

allocated as (

    select
        *,
        proportional_discount_cents
        + case
            when list_amount_rank = 1
                then order_discount_cents - sum(proportional_discount_cents) over (partition by order_id)
            else 0
        end as discount_cents
    from proportional_shares

),

final as (

    select
        order_line_id,
        order_id,
        line_number,
        unit_price,
        quantity,
        list_amount,
        cast(cast(order_list_cents as decimal(20, 0)) * 0.01 as decimal(18, 2)) as order_list_amount,
        order_goods_amount,
        cast(cast(order_discount_cents as decimal(20, 0)) * 0.01 as decimal(18, 2)) as order_discount_amount,
        cast(cast(discount_cents as decimal(20, 0)) * 0.01 as decimal(18, 2)) as discount_amount,
        cast(cast(list_cents - discount_cents as decimal(20, 0)) * 0.01 as decimal(18, 2)) as line_revenue,
        list_amount_rank = 1 as takes_rounding_remainder,
        has_order_record
    from allocated

)

select * from final
