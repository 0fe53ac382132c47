{#-
    Every version of every ERP SKU that a SKU master export has delivered, keyed by SKU and the ERP's 修改时间:
    the history behind dim_product_cost_history. When the same version (same SKU and modification time) is
    delivered more than once, the latest delivery wins. stg_erp__skus keeps only the current version.
-#}

with

source as (

    select * from {{ source('erp', 'erp_skus') }}

),

typed as (

    select
        *,
        {{ clean_text('sku_id') }} as cleaned_sku_id,
        {{ to_china_timestamp('modified_at') }} as cleaned_modified_at
    from source
    where {{ clean_text('sku_id') }} is not null

),

latest_version as (

    {{ latest_version('typed', key=['cleaned_sku_id', 'cleaned_modified_at']) }}

),

final as (

    select
        {{ surrogate_key(['cleaned_sku_id', 'cleaned_modified_at']) }} as sku_version_id,
        cleaned_sku_id as sku_id,
        cleaned_modified_at as modified_at,
        {{ clean_text('sku_name') }} as sku_name,
        {{ clean_text('category') }} as category,
        {{ to_money('cost_price') }} as cost_price,
        {{ to_money('sale_price') }} as sale_price,
        {{ to_yes_no_boolean('enabled') }} as is_enabled,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

)

select * from final
