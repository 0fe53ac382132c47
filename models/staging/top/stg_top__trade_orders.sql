{#-
    Tmall order lines from the TOP API: the sub-orders (`orders.order[]`) of the latest version of each trade, one
    row per sub-order, with the columns of stg_tmall__order_items where they mean the same thing. The line number is
    the sub-order's position in the trade (1-based), as the export's line number is the row's position in its order.
-#}

with

source as (

    select * from {{ source('top', 'top_trades') }}

),

status_map as (

    select * from {{ ref('tmall_order_status_map') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('tid')], modified='modified') }}

),

sub_orders as (

    select
        latest_version.tid,
        latest_version.status as trade_status,
        positions.line_number,
        {{ json_at('latest_version.payload', "'$.orders[' || (positions.line_number - 1) || ']'") }} as sub_order,
        latest_version._source_file,
        latest_version._source_row_number,
        latest_version._loaded_at,
        latest_version._batch_id
    from latest_version
    {{ lateral_series('positions', 'line_number', json_array_length_at('latest_version.payload', '$.orders')) }}

),

fields as (

    select
        tid,
        trade_status,
        line_number,
        coalesce({{ json_text('sub_order', '$.oid_str') }}, {{ json_text('sub_order', '$.oid') }}) as oid,
        {{ json_text('sub_order', '$.num_iid') }} as num_iid,
        {{ json_text('sub_order', '$.sku_id') }} as sku_id,
        {{ json_text('sub_order', '$.title') }} as title,
        {{ json_text('sub_order', '$.sku_properties_name') }} as sku_properties_name,
        {{ json_text('sub_order', '$.outer_sku_id') }} as outer_sku_id,
        {{ json_text('sub_order', '$.outer_iid') }} as outer_iid,
        {{ json_text('sub_order', '$.price') }} as price,
        {{ json_text('sub_order', '$.num') }} as num,
        {{ json_text('sub_order', '$.total_fee') }} as total_fee,
        {{ json_text('sub_order', '$.payment') }} as payment,
        {{ json_text('sub_order', '$.discount_fee') }} as discount_fee,
        {{ json_text('sub_order', '$.adjust_fee') }} as adjust_fee,
        {{ json_text('sub_order', '$.divide_order_fee') }} as divide_order_fee,
        {{ json_text('sub_order', '$.status') }} as status,
        {{ json_text('sub_order', '$.refund_status') }} as refund_status,
        {{ json_text('sub_order', '$.refund_id') }} as refund_id,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from sub_orders

),

cleaned as (

    select
        {{ clean_text('tid') }} as order_id,
        cast(line_number as integer) as line_number,
        {{ clean_text('oid') }} as sub_order_id,
        {{ clean_text('num_iid') }} as item_id,
        {{ clean_text('sku_id') }} as platform_sku_id,
        {{ clean_text('title') }} as item_title,
        -- TOP writes `颜色分类:白色;尺码:XL`; the export `颜色分类：白色;尺码：XL`: one shape, the export's
        replace({{ clean_text('sku_properties_name') }}, ':', '：') as sku_properties,
        {{ clean_text('outer_sku_id') }} as merchant_sku_code,
        {{ clean_text('outer_iid') }} as external_system_id,
        {{ to_money('price') }} as unit_price,
        {{ to_quantity('num') }} as quantity,
        {{ to_money('total_fee') }} as line_total_fee,
        {{ to_money('payment') }} as line_payment,
        {{ to_money('discount_fee') }} as line_discount_fee,
        {{ to_money('adjust_fee') }} as line_adjust_fee,
        {{ to_money('divide_order_fee') }} as line_revenue,
        upper(coalesce({{ clean_text('status') }}, {{ clean_text('trade_status') }})) as line_status_text,
        upper({{ clean_text('refund_status') }}) as refund_status,
        {{ clean_text('refund_id') }} as refund_id,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from fields

),

final as (

    select
        cleaned.order_id || '-' || cast(cleaned.line_number as {{ dbt.type_string() }}) as order_line_id,
        cleaned.order_id,
        cleaned.line_number,
        cleaned.item_title,
        cleaned.sku_properties,
        cleaned.merchant_sku_code,
        cleaned.external_system_id,
        cast(null as {{ dbt.type_string() }}) as bundle_info,
        cleaned.unit_price,
        cleaned.quantity,
        status_map.order_status as line_status,
        cleaned.line_status_text,

        -- TOP only
        cleaned.sub_order_id,
        cleaned.item_id,
        cleaned.platform_sku_id,
        cleaned.line_total_fee,
        cleaned.line_payment,
        cleaned.line_discount_fee,
        cleaned.line_adjust_fee,
        cleaned.line_revenue,
        cleaned.refund_status,
        cleaned.refund_id,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.line_status_text = status_map.export_status

)

select * from final
