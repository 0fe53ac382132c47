{#-
    ERP SKU master from the 聚水潭 open API, one row per SKU: the latest version by `modified`, then load order, with
    the columns of stg_erp__skus. Older versions (cost changes, renames) stay in raw.jst_skus.
-#}

with

source as (

    select * from {{ source('erp_api', 'jst_skus') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('sku_id')], modified='modified') }}

),

fields as (

    select
        sku_id,
        i_id,
        modified,
        {{ json_text('payload', '$.name') }} as sku_name,
        {{ json_text('payload', '$.properties_value') }} as properties_value,
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
        {{ clean_text('sku_id') }} as sku_id,
        {{ clean_text('i_id') }} as style_id,
        {{ clean_text('sku_name') }} as sku_name,
        {{ clean_text('properties_value') }} as properties_value,
        {{ clean_text('category') }} as category,
        {{ to_money('cost_price') }} as cost_price,
        {{ to_money('sale_price') }} as sale_price,
        {{ to_yes_no_boolean('enabled') }} as is_enabled,
        {{ to_china_timestamp('modified') }} as modified_at,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from fields

)

select * from final
