{#-
    Maps each Tmall order line to one conformed product through its 商家编码 (merchant SKU code), which is the
    seller's own code and should equal the ERP 商品编码 (sku_id). Rules, first match wins:

    mapping_status   when                                                    product_key
    manual           a row of the seed product_mapping_overrides matches     the seed's sku_id
    mapped           the code equals an ERP sku_id (after trimming)          the ERP sku_id
    ambiguous_code   the code equals an ERP 款式编码 with several SKUs        'ambiguous_code:' || the code
    unmatched_code   the code is unknown to the ERP master                   'unmatched_code:' || the code
    missing_code     the line carries no code                                'missing_code:' || md5(title | properties)

    An override row matches a line when each of its non-empty columns (merchant_sku_code, item_title,
    sku_properties) equals the line's; the most specific matching row wins. An override naming a sku_id the ERP
    master does not hold is ignored (the seed's test warns about it). Unmapped lines stay visible in
    dim_products under their own product_key until someone adds an override.

    Incremental (macros/incremental.sql): a run re-maps the lines of the orders whose line set was loaded in the
    window, and of the orders with a line whose mapping the window's ERP SKU master rows can change
    (line_mapping_may_have_changed), and replaces each such order's lines (delete+insert on order_id). An edit of
    the seed product_mapping_overrides needs a full refresh.
-#}
{{
    config(
        materialized=incremental_materialization('delete+insert'),
        incremental_strategy='delete+insert',
        unique_key='order_id',
        on_schema_change='fail',
    )
}}

with

order_lines as (

    select * from {{ ref('int_tmall_order_items_unioned') }}
    {% if is_incremental() -%}
        where order_id in (
            {{ keys_loaded_since([[ref('int_tmall_order_items_unioned'), 'order_id']]) | indent(12) }}
            union
            select previous.order_id from {{ this }} as previous
            where {{ line_mapping_may_have_changed('previous') | indent(12) }}
        )
    {%- endif %}

),

skus as (

    select * from {{ ref('int_erp_skus_unioned') }}

),

overrides as (

    select
        nullif(trim(merchant_sku_code), '') as merchant_sku_code,
        nullif(trim(item_title), '') as item_title,
        nullif(trim(sku_properties), '') as sku_properties,
        trim(sku_id) as sku_id,
        (nullif(trim(merchant_sku_code), '') is not null)::integer
        + (nullif(trim(item_title), '') is not null)::integer
        + (nullif(trim(sku_properties), '') is not null)::integer as specificity
    from {{ ref('product_mapping_overrides') }}

),

styles as (

    select
        style_id,
        count(*) as style_sku_count
    from skus
    where style_id is not null
    group by style_id

),

manual_matches as (

    select
        order_lines.order_line_id,
        max_by(overrides.sku_id, overrides.specificity) as sku_id
    from order_lines
    inner join overrides
        on (overrides.merchant_sku_code is null or overrides.merchant_sku_code = order_lines.merchant_sku_code)
            and (overrides.item_title is null or overrides.item_title = order_lines.item_title)
            and (overrides.sku_properties is null or overrides.sku_properties = order_lines.sku_properties)
    where overrides.specificity > 0
    group by order_lines.order_line_id

),

matched as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.item_title,
        order_lines.sku_properties,
        order_lines.merchant_sku_code,
        coalesce(manual_skus.sku_id, skus.sku_id) as sku_id,
        case
            when manual_skus.sku_id is not null then 'manual'
            when skus.sku_id is not null then 'mapped'
            when order_lines.merchant_sku_code is null then 'missing_code'
            when styles.style_sku_count > 1 then 'ambiguous_code'
            else 'unmatched_code'
        end as mapping_status
    from order_lines
    left join manual_matches
        on order_lines.order_line_id = manual_matches.order_line_id
    left join skus as manual_skus
        on manual_matches.sku_id = manual_skus.sku_id
    left join skus
        on order_lines.merchant_sku_code = skus.sku_id
    left join styles
        on order_lines.merchant_sku_code = styles.style_id

),

final as (

    select
        order_line_id,
        order_id,
        case
            when mapping_status in ('manual', 'mapped') then sku_id
            when mapping_status = 'missing_code'
                then 'missing_code:' || {{ surrogate_key(['item_title', 'sku_properties']) }}
            else mapping_status || ':' || merchant_sku_code
        end as product_key,
        mapping_status,
        sku_id,
        merchant_sku_code,
        item_title,
        sku_properties
    from matched

)

select * from final
