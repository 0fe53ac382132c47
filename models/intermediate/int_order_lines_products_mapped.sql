{#-
    Maps each Tmall order line to one conformed product through its 商家编码 (merchant SKU code), which is the
    seller's own code and should equal the ERP 商品编码 (sku_id). Exact match after trimming.

    mapping_status   product_key
    mapped           the ERP sku_id
    unmatched_code   'unmatched_code:' || the Tmall code (one product per code not found in the ERP master)
    missing_code     'missing_code:' || md5(title | properties) (one product per title and properties)
-#}

with

order_lines as (

    select * from {{ ref('stg_tmall__order_items') }}

),

skus as (

    select * from {{ ref('stg_erp__skus') }}

),

matched as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.item_title,
        order_lines.sku_properties,
        order_lines.merchant_sku_code,
        skus.sku_id,
        case
            when order_lines.merchant_sku_code is null then 'missing_code'
            when skus.sku_id is null then 'unmatched_code'
            else 'mapped'
        end as mapping_status
    from order_lines
    left join skus
        on order_lines.merchant_sku_code = skus.sku_id

),

final as (

    select
        order_line_id,
        order_id,
        case mapping_status
            when 'mapped' then sku_id
            when 'unmatched_code' then 'unmatched_code:' || merchant_sku_code
            else 'missing_code:' || {{ surrogate_key(['item_title', 'sku_properties']) }}
        end as product_key,
        mapping_status,
        sku_id,
        merchant_sku_code,
        item_title,
        sku_properties
    from matched

)

select * from final
