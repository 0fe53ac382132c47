-- Products (marts.dim_products): names, category and ERP mapping status.
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
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
    tmall_order_line_count,
    is_placeholder
from main.dim_products
order by product_key
