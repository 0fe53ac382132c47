{#-
    One conformed product per row: every ERP SKU (sold on Tmall or not), plus every Tmall item whose 商家编码
    is missing or matches no ERP SKU. Nothing is dropped; mapping_status says which case a product is:

    mapped          the product is an ERP SKU (product_key = sku_id); Tmall lines with this code, or matched by a
                    row of the seed product_mapping_overrides, map to it
    ambiguous_code  Tmall lines carry an ERP 款式编码 shared by several SKUs (one product per code)
    unmatched_code  Tmall lines carry a 商家编码 that the ERP master does not know (one product per code)
    missing_code    Tmall lines carry no 商家编码 (one product per title and properties)
    The last three are the mapping work list: fix them with rows in seeds/product_mapping_overrides.csv.
-#}

with

skus as (

    select * from {{ ref('int_erp_skus_unioned') }}

),

line_products as (

    select * from {{ ref('int_order_lines_products_mapped') }}

),

orders as (

    select * from {{ ref('int_tmall_orders_unioned') }}

),

tmall_sales as (

    select
        line_products.product_key,
        min(line_products.mapping_status) as mapping_status,
        min(line_products.merchant_sku_code) as merchant_sku_code,
        max_by(line_products.item_title, orders.created_at) as latest_item_title,
        max_by(line_products.sku_properties, orders.created_at) as latest_sku_properties,
        count(*) as order_line_count,
        min(orders.created_at) as first_ordered_at,
        max(orders.created_at) as last_ordered_at
    from line_products
    left join orders
        on line_products.order_id = orders.order_id
    group by line_products.product_key

),

erp_products as (

    select
        skus.sku_id as product_key,
        'mapped' as mapping_status,
        skus.sku_id,
        skus.sku_id as merchant_sku_code,
        skus.sku_name as product_name,
        skus.properties_value as properties,
        skus.style_id,
        skus.category,
        skus.cost_price,
        skus.sale_price,
        skus.is_enabled
    from skus

),

tmall_only_products as (

    select
        product_key,
        mapping_status,
        cast(null as {{ dbt.type_string() }}) as sku_id,
        merchant_sku_code,
        latest_item_title as product_name,
        latest_sku_properties as properties,
        cast(null as {{ dbt.type_string() }}) as style_id,
        cast(null as {{ dbt.type_string() }}) as category,
        cast(null as decimal(18, 2)) as cost_price,
        cast(null as decimal(18, 2)) as sale_price,
        cast(null as boolean) as is_enabled
    from tmall_sales
    where mapping_status not in ('mapped', 'manual')

),

products as (

    select * from erp_products
    union all
    select * from tmall_only_products

),

final as (

    select
        products.product_key,
        products.mapping_status,
        products.sku_id,
        products.merchant_sku_code,
        products.product_name,
        products.properties,
        products.style_id,
        products.category,
        products.cost_price,
        products.sale_price,
        products.is_enabled,
        tmall_sales.latest_item_title as tmall_item_title,
        tmall_sales.product_key is not null as is_sold_on_tmall,
        coalesce(tmall_sales.order_line_count, 0) as tmall_order_line_count,
        tmall_sales.first_ordered_at,
        tmall_sales.last_ordered_at
    from products
    left join tmall_sales
        on products.product_key = tmall_sales.product_key

)

select * from final
