{#-
    Every version of every ERP SKU that the 聚水潭 SKU master API (`raw.jst_skus`) has delivered, keyed by SKU and
    its `modified` time, with the columns of stg_erp__sku_versions: a record modified again arrives again, so the
    raw table is the SKU's history. The same version (same SKU and `modified`) delivered more than once (a window
    reloaded) is kept once, the latest load. stg_erp__api_skus keeps only the current version.
-#}

with

source as (

    select * from {{ source('erp_api', 'jst_skus') }}

),

typed as (

    select
        *,
        {{ clean_text('sku_id') }} as cleaned_sku_id,
        {{ to_china_timestamp('modified') }} as cleaned_modified_at
    from source
    where {{ clean_text('sku_id') }} is not null

),

latest_version as (

    {{ latest_version('typed', key=['cleaned_sku_id', 'cleaned_modified_at']) }}

),

fields as (

    select
        cleaned_sku_id,
        cleaned_modified_at,
        {{ json_text('payload', '$.name') }} as sku_name,
        {{ json_text('payload', '$.category') }} as category,
        {{ json_text('payload', '$.cost_price') }} as cost_price,
        {{ json_text('payload', '$.sale_price') }} as sale_price,
        {{ json_text('payload', '$.enabled') }} as enabled,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from latest_version

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

    from fields

)

select * from final
