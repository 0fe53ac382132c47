with

source as (

    select * from {{ source('tmall', 'tmall_order_items') }}

),

status_map as (

    select * from {{ ref('tmall_order_status_map') }}

),

typed as (

    select
        *,
        {{ clean_text('order_id') }} as cleaned_order_id,
        {{ to_quantity('line_number') }} as cleaned_line_number
    from source

),

versions as (

    select
        *,
        -- the order's lines are taken as a set from the latest delivery that carries the order ...
        dense_rank() over (
            partition by cleaned_order_id
            order by cast(_loaded_at as timestamp) desc, _batch_id desc
        ) as delivery_rank,
        -- ... and within it, one row per line number
        row_number() over (
            partition by cleaned_order_id, cleaned_line_number
            order by {{ latest_delivery_first() }}
        ) as version_rank
    from typed

),

latest_version as (

    select * from versions
    where delivery_rank = 1
        and version_rank = 1

),

cleaned as (

    select
        cleaned_order_id as order_id,
        cleaned_line_number as line_number,
        {{ clean_text('item_title') }} as item_title,
        case
            when {{ clean_text('sku_properties') }} in ('-', '无') then null
            else {{ clean_text('sku_properties') }}
        end as sku_properties,
        {{ clean_text('merchant_sku_code') }} as merchant_sku_code,
        {{ clean_text('external_system_id') }} as external_system_id,
        {{ clean_text('bundle_info') }} as bundle_info,
        {{ to_money('unit_price') }} as unit_price,
        {{ to_quantity('quantity') }} as quantity,
        replace({{ clean_text('order_status') }}, ',', '，') as line_status_text,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

),

final as (

    select
        cleaned.order_id || '-' || cast(cleaned.line_number as varchar) as order_line_id,
        cleaned.order_id,
        cleaned.line_number,
        cleaned.item_title,
        cleaned.sku_properties,
        cleaned.merchant_sku_code,
        cleaned.external_system_id,
        cleaned.bundle_info,
        cleaned.unit_price,
        cleaned.quantity,
        status_map.order_status as line_status,
        cleaned.line_status_text,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.line_status_text = status_map.export_status

)

select * from final
