{#-
    One row per Tmall order line (latest delivered version), with line revenue after the order-level discount
    is spread over the lines (int_order_lines_discounts_allocated), the conformed product, and cost from the
    ERP SKU master where the line maps to an ERP SKU. Order context (status, dates, is_paid) comes from
    fct_orders, so lines and orders share one paid rule.
-#}

with

allocated_lines as (

    select * from {{ ref('int_order_lines_discounts_allocated') }}

),

product_mapping as (

    select * from {{ ref('int_order_lines_products_mapped') }}

),

order_lines as (

    select * from {{ ref('stg_tmall__order_items') }}

),

skus as (

    select * from {{ ref('stg_erp__skus') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        allocated_lines.order_line_id,
        allocated_lines.order_id,
        allocated_lines.line_number,
        product_mapping.product_key,
        product_mapping.mapping_status,
        product_mapping.sku_id,
        product_mapping.merchant_sku_code,
        order_lines.item_title,
        order_lines.sku_properties,
        order_lines.line_status,

        orders.customer_key,
        orders.shop_id,
        orders.shop_name,
        orders.order_status,
        orders.is_paid,
        orders.created_at,
        orders.paid_at,
        orders.created_date,
        orders.paid_date,

        allocated_lines.quantity,
        allocated_lines.unit_price,
        allocated_lines.list_amount,
        allocated_lines.discount_amount,
        allocated_lines.line_revenue,
        skus.cost_price as unit_cost,
        cast(skus.cost_price * allocated_lines.quantity as decimal(18, 2)) as cost_amount,
        cast(allocated_lines.line_revenue - skus.cost_price * allocated_lines.quantity as decimal(18, 2))
            as gross_profit_amount

    from allocated_lines
    inner join order_lines
        on allocated_lines.order_line_id = order_lines.order_line_id
    inner join product_mapping
        on allocated_lines.order_line_id = product_mapping.order_line_id
    left join skus
        on product_mapping.sku_id = skus.sku_id
    left join orders
        on allocated_lines.order_id = orders.order_id

)

select * from final
