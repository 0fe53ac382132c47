{#-
    One row per Tmall order line (latest delivered version), with line revenue after the order-level discount
    is spread over the lines (int_order_lines_discounts_allocated), the conformed product, and the cost the ERP
    held for the SKU when the line was sold (dim_product_cost_history at the payment time, else the order time;
    a sale older than the first known version takes that first version's cost). Order context (status, dates,
    is_paid) comes from fct_orders, so lines and orders share one paid rule.

    Incremental (macros/incremental.sql): a run recomputes the lines of the orders with a row of theirs (order,
    lines, TOP refunds) loaded in the window, and the lines whose product mapping or cost can have changed: those
    whose mapped SKU has a master row or cost version loaded in the window, and those
    line_mapping_may_have_changed() names (the same rule int_order_lines_products_mapped re-maps by); then merges
    them on order_line_id. An edit of the seed product_mapping_overrides needs a full refresh.
-#}

-- the inputs an incremental run reads to find what changed (macros/incremental.sql)
-- depends_on: {{ ref('int_tmall_orders_unioned') }}
-- depends_on: {{ ref('stg_top__refunds') }}
-- depends_on: {{ ref('int_erp_skus_unioned') }}
-- depends_on: {{ ref('int_erp_sku_versions_unioned') }}

{{
    config(
        materialized=incremental_materialization(),
        file_format=spark_file_format(),
        incremental_strategy='merge',
        unique_key='order_line_id',
        on_schema_change='fail',
    )
}}

with

{% if is_incremental() %}

changed_orders as (

    {{ tmall_order_ids_loaded_since() }}

),

changed_skus as (

    {{ erp_sku_ids_loaded_since() }}

),

lines_to_process as (

    select mapped.order_line_id
    from {{ ref('int_order_lines_products_mapped') }} as mapped
    where
        mapped.order_id in (select changed_orders.order_id from changed_orders)
        or mapped.sku_id in (select changed_skus.sku_id from changed_skus)
        or {{ line_mapping_may_have_changed('mapped') | indent(8) }}

),

{% endif %}

allocated_lines as (

    select * from {{ ref('int_order_lines_discounts_allocated') }}
    {% if is_incremental() -%}
        where order_line_id in (select lines_to_process.order_line_id from lines_to_process)
    {%- endif %}

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
