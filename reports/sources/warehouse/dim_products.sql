-- Products (marts.dim_products): names, category and ERP mapping status.
select
    product_key,
    sku_id,
    merchant_sku_code,
    product_name,
    properties,
    style_id,
    category,
    cost_price,
    sale_price,
    mapping_status,
    tmall_item_title,
    is_sold_on_tmall,
    tmall_order_line_count
from main.dim_products
