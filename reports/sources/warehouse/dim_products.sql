-- Products (marts.dim_products): names, category and ERP mapping status.
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    false as is_placeholder
from main.dim_products
union all
select
    null as product_key,
    null as sku_id,
    null as merchant_sku_code,
    null as product_name,
    null as properties,
    null as style_id,
    null as category,
    null as cost_price,
    null as sale_price,
    null as mapping_status,
    null as tmall_item_title,
    null as is_sold_on_tmall,
    null as tmall_order_line_count,
    true as is_placeholder
where not exists (select 1 from main.dim_products)
