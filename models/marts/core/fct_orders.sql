{#-
    One row per Tmall order (latest delivered version), with the amount rules every metric uses:

    is_paid        = the order has a payment time (订单付款时间); unpaid orders have none
    total_amount   = 总金额 (goods + post fee); when a file variant lacks it, goods_amount + post_fee
    paid_amount    = total_amount for paid orders, else 0 (what the buyer paid at payment, before refunds)
    refund_amount  = 退款金额 for paid orders (`无退款申请` = 0), else 0
    net_amount     = paid_amount − refund_amount
    customer_paid_order_number numbers a customer's paid orders by payment time (1 = first purchase, the
    basis of new_customers; 2 and later = repeat purchases).
    reported_paid_amount keeps the export's 买家实际支付金额 for reconciliation only (its meaning varies by
    report variant; in the classic report it equals net_amount for paid orders).

    Incremental (macros/incremental.sql): a run recomputes the orders with a row of theirs (order, lines, TOP
    refunds, ERP sales orders) loaded in the window, and every order of their customers, since a customer's paid
    orders are numbered together; then merges them on order_id.
-#}

-- the inputs an incremental run reads to find what changed (macros/incremental.sql)
-- depends_on: {{ ref('int_tmall_order_items_unioned') }}
-- depends_on: {{ ref('stg_top__refunds') }}
-- depends_on: {{ ref('int_erp_sales_orders_unioned') }}

{{
    config(
        materialized=incremental_materialization(),
        file_format=spark_file_format(),
        incremental_strategy='merge',
        unique_key='order_id',
        on_schema_change='fail',
    )
}}

with

{% if is_incremental() %}

changed_orders as (

    {{ tmall_order_ids_loaded_since(include_erp=true, previous=this) }}

),

changed_customers as (

    select customer_key from {{ ref('int_tmall_orders_unioned') }}
    where order_id in (select changed_orders.order_id from changed_orders)
    union
    select customer_key from {{ this }}
    where order_id in (select changed_orders.order_id from changed_orders)

),

orders_to_process as (

    select order_id from changed_orders
    union
    select order_id from {{ ref('int_tmall_orders_unioned') }}
    where customer_key in (select changed_customers.customer_key from changed_customers)

),

{% endif %}

orders as (

    select * from {{ ref('int_tmall_orders_unioned') }}
    {% if is_incremental() -%}
        where order_id in (select orders_to_process.order_id from orders_to_process)
    {%- endif %}

),

order_lines as (

    select * from {{ ref('int_order_lines_discounts_allocated') }}
    {% if is_incremental() -%}
        where order_id in (select orders_to_process.order_id from orders_to_process)
    {%- endif %}

),

erp_matches as (

    select * from {{ ref('int_orders_matched_to_erp') }}
    {% if is_incremental() -%}
        where order_id in (select orders_to_process.order_id from orders_to_process)
    {%- endif %}

),

paid_order_sequence as (

    -- each customer's paid orders numbered by payment time: number 1 is the customer's first purchase
    select
        order_id,
        cast(row_number() over (partition by customer_key order by paid_at asc, order_id asc) as bigint)
            as customer_paid_order_number
    from orders
    where paid_at is not null and customer_key is not null

),

line_totals as (

    select
        order_id,
        count(*) as order_line_count,
        sum(quantity) as line_quantity
    from order_lines
    group by order_id

),

amounts as (

    select
        *,
        paid_at is not null as is_paid,
        coalesce(goods_amount, total_amount - coalesce(post_fee, 0)) as goods_amount_or_derived,
        coalesce(total_amount, goods_amount + coalesce(post_fee, 0)) as total_amount_or_derived
    from orders

),

final as (

    select
        amounts.order_id,
        amounts.customer_key,
        amounts.shop_id,
        amounts.shop_name,

        amounts.order_status,
        amounts.order_status_name,
        amounts.is_paid,
        coalesce(amounts.is_status_closed, false) as is_closed,
        amounts.is_paid and coalesce(amounts.refund_amount, 0) > 0 as is_refunded,
        amounts.close_reason,

        amounts.created_at,
        amounts.paid_at,
        amounts.shipped_at,
        amounts.confirmed_at,
        cast(amounts.created_at as date) as created_date,
        cast(amounts.paid_at as date) as paid_date,
        cast(amounts.shipped_at as date) as shipped_date,

        cast(amounts.goods_amount_or_derived as decimal(18, 2)) as goods_amount,
        cast(coalesce(amounts.post_fee, 0) as decimal(18, 2)) as post_fee,
        cast(amounts.total_amount_or_derived as decimal(18, 2)) as total_amount,
        cast(case when amounts.is_paid then amounts.total_amount_or_derived else 0 end as decimal(18, 2))
            as paid_amount,
        cast(case when amounts.is_paid then coalesce(amounts.refund_amount, 0) else 0 end as decimal(18, 2))
            as refund_amount,
        cast(
            case
                when amounts.is_paid then amounts.total_amount_or_derived - coalesce(amounts.refund_amount, 0)
                else 0
            end
            as decimal(18, 2)
        ) as net_amount,
        amounts.reported_paid_amount,

        amounts.receiver_province,
        amounts.receiver_city,

        coalesce(line_totals.order_line_count, 0) as order_line_count,
        cast(coalesce(amounts.item_quantity, line_totals.line_quantity) as bigint) as item_quantity,

        erp_matches.erp_order_id,
        coalesce(erp_matches.erp_order_count, 0) as erp_order_count,
        erp_matches.erp_shipped_at,
        erp_matches.order_id is not null as is_erp_matched,

        paid_order_sequence.customer_paid_order_number,
        coalesce(paid_order_sequence.customer_paid_order_number = 1, false) as is_first_paid_order,
        coalesce(paid_order_sequence.customer_paid_order_number > 1, false) as is_repeat_paid_order

    from amounts
    left join line_totals
        on amounts.order_id = line_totals.order_id
    left join erp_matches
        on amounts.order_id = erp_matches.order_id
    left join paid_order_sequence
        on amounts.order_id = paid_order_sequence.order_id

)

select * from final
