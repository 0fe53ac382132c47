{#-
    One row per Tmall order line (latest delivered version), with line revenue after the order-level discount
    is spread over the lines (int_order_lines_discounts_allocated), the conformed product, and the cost the ERP
    held for the SKU when the line was sold (dim_product_cost_history at the payment time, else the order time;
    a sale older than the first known version takes that first version's cost). Order context (status, dates,
    is_paid) comes from fct_orders, so lines and orders share one paid rule.
-#}

with

allocated_lines as (

    select * from {{ ref('int_order_lines_discounts_allocated') }}

),

product_mapping as (

    select * from {{ ref('int_order_lines_products_mapped') }}

),

order_lines as (

    select * from {{ ref('int_tmall_order_items_unioned') }}

),

cost_versions as (

    select
        *,
        row_number() over (partition by sku_id order by valid_from_at asc nulls first) = 1 as is_first_version
    from {{ ref('dim_product_cost_history') }}

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
        cost_versions.product_cost_version_id,
        cost_versions.cost_price as unit_cost,
        cast(cost_versions.cost_price * allocated_lines.quantity as decimal(18, 2)) as cost_amount,
        cast(allocated_lines.line_revenue - cost_versions.cost_price * allocated_lines.quantity as decimal(18, 2))
            as gross_profit_amount

    from allocated_lines
    inner join order_lines
        on allocated_lines.order_line_id = order_lines.order_line_id
    inner join product_mapping
        on allocated_lines.order_line_id = product_mapping.order_line_id
    left join orders
        on allocated_lines.order_id = orders.order_id
    left join cost_versions
        on product_mapping.sku_id = cost_versions.sku_id
            and (
                cost_versions.is_first_version
                or cost_versions.valid_from_at <= coalesce(orders.paid_at, orders.created_at)
            )
            and (
                cost_versions.valid_to_at is null
                or coalesce(orders.paid_at, orders.created_at) < cost_versions.valid_to_at
            )

)

select * from final
