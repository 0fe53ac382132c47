with

source as (

    select * from {{ source('erp', 'erp_skus') }}

),

latest_version as (

    -- the ERP's own modification time decides first, so re-loading an old export never wins
    {{ latest_version('source', key=[clean_text('sku_id')], modified='modified_at') }}

),

final as (

    select
        {{ clean_text('sku_id') }} as sku_id,
        {{ clean_text('style_id') }} as style_id,
        {{ clean_text('sku_name') }} as sku_name,
        {{ clean_text('properties_value') }} as properties_value,
        {{ clean_text('category') }} as category,
        {{ to_money('cost_price') }} as cost_price,
        {{ to_money('sale_price') }} as sale_price,
        {{ to_yes_no_boolean('enabled') }} as is_enabled,
        {{ to_china_timestamp('modified_at') }} as modified_at,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

)

select * from final
