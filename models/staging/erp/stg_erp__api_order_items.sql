{#-
    ERP order lines from the 聚水潭 open API: the `items[]` of the latest version of each ERP order, one row per line.
    The file exports carry no order lines, so this has no file-based twin. `tmall_sub_order_id` (outer_oi_id) is the
    TOP sub-order id (stg_top__trade_orders.sub_order_id).
-#}

with

source as (

    select * from {{ source('erp_api', 'jst_orders') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('o_id')], modified='modified') }}

),

items as (

    select
        latest_version.o_id,
        positions.line_number,
        {{ json_at('latest_version.payload', "'$.items[' || (positions.line_number - 1) || ']'") }} as item,
        latest_version._source_file,
        latest_version._source_row_number,
        latest_version._loaded_at,
        latest_version._batch_id
    from latest_version
    {{ lateral_series('positions', 'line_number', json_array_length_at('latest_version.payload', '$.items')) }}

),

final as (

    select
        {{ clean_text('o_id') }} || '-' || cast(line_number as {{ dbt.type_string() }}) as erp_order_line_id,
        {{ clean_text('o_id') }} as erp_order_id,
        cast(line_number as integer) as line_number,
        {{ clean_text(json_text('item', '$.oi_id')) }} as erp_order_item_id,
        {{ clean_text(json_text('item', '$.outer_oi_id')) }} as tmall_sub_order_id,
        {{ clean_text(json_text('item', '$.sku_id')) }} as sku_id,
        {{ clean_text(json_text('item', '$.i_id')) }} as style_id,
        {{ clean_text(json_text('item', '$.shop_sku_id')) }} as shop_sku_id,
        {{ clean_text(json_text('item', '$.name')) }} as item_name,
        {{ clean_text(json_text('item', '$.properties_value')) }} as properties_value,
        {{ to_quantity(json_text('item', '$.qty')) }} as quantity,
        {{ to_money(json_text('item', '$.price')) }} as unit_price,
        {{ to_money(json_text('item', '$.base_price')) }} as base_price,
        {{ to_money(json_text('item', '$.amount')) }} as line_amount,
        coalesce({{ to_yes_no_boolean(json_text('item', '$.is_gift')) }}, false) as is_gift,
        lower({{ clean_text(json_text('item', '$.refund_status')) }}) as refund_status,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from items

)

select * from final
