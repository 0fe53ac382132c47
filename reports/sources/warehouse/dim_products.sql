-- Products (marts.dim_products): names, category and ERP mapping status.
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
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
    '' as product_key,
    '' as sku_id,
    '' as merchant_sku_code,
    '' as product_name,
    '' as properties,
    '' as style_id,
    '' as category,
    cast(0 as decimal(18,2)) as cost_price,
    cast(0 as decimal(18,2)) as sale_price,
    '' as mapping_status,
    '' as tmall_item_title,
    false as is_sold_on_tmall,
    cast(0 as bigint) as tmall_order_line_count,
    true as is_placeholder
where not exists (select 1 from main.dim_products)
