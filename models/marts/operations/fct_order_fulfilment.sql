{#-
    One row per paid Tmall order: when it was paid and when the ERP first shipped it (earliest 出库时间 of an
    outbound that left the warehouse, 已出库), from which warehouse, and the hours in between.
    Orders the ERP has not shipped (yet, or ever: refunded before shipping) have no shipment time and are
    excluded from the shipping metrics (is_shipped = false). An order without ERP data is simply unshipped here.
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_paid

),

shipments as (

    select * from {{ ref('fct_shipments') }}
    where is_shipped and shipped_at is not null and tmall_order_id is not null

),

shipment_orders as (

    select
        {{ split_to_rows('tmall_order_id', ',') }} as order_id,
        outbound_id,
        shipped_at,
        warehouse_name
    from shipments

),

first_shipments as (

    select
        order_id,
        min(shipped_at) as first_shipped_at,
        min_by(warehouse_name, shipped_at) as warehouse_name,
        count(distinct outbound_id) as outbound_count
    from shipment_orders
    group by order_id

),

final as (

    select
        orders.order_id,
        orders.shop_name,
        orders.receiver_province,
        orders.paid_at,
        orders.paid_date,
        first_shipments.first_shipped_at,
        first_shipments.warehouse_name,
        coalesce(first_shipments.outbound_count, 0) as outbound_count,
        first_shipments.first_shipped_at is not null as is_shipped,
        cast(
            {{ date_difference('second', 'orders.paid_at', 'first_shipments.first_shipped_at') }} / 3600.0
            as decimal(18, 4)
        ) as pay_to_ship_hours,
        coalesce(
            {{ date_difference('second', 'orders.paid_at', 'first_shipments.first_shipped_at') }} <= 48 * 3600, false
        ) as is_shipped_within_48h
    from orders
    left join first_shipments
        on orders.order_id = first_shipments.order_id

)

select * from final
