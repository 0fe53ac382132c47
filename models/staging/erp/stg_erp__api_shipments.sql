{#-
    ERP sales outbound lines from the 聚水潭 open API: the `items[]` of the latest version (by `modified`) of each
    outbound, one row per line numbered by position, with the columns of stg_erp__shipments. Status mapped through
    seed erp_outbound_status_map, which holds the API codes.
-#}

with

source as (

    select * from {{ source('erp_api', 'jst_sales_outbound') }}

),

status_map as (

    select * from {{ ref('erp_outbound_status_map') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('io_id')], modified='modified') }}

),

lines as (

    select
        latest_version.io_id,
        latest_version.o_id,
        latest_version.so_id,
        latest_version.status,
        latest_version.io_date,
        {{ json_text('latest_version.payload', '$.warehouse') }} as warehouse_name,
        {{ json_text('latest_version.payload', '$.l_id') }} as waybill_no,
        {{ json_text('latest_version.payload', '$.logistics_company') }} as logistics_company,
        positions.line_number,
        {{ json_at('latest_version.payload', "'$.items[' || (positions.line_number - 1) || ']'") }} as item,
        latest_version._source_file,
        latest_version._source_row_number,
        latest_version._loaded_at,
        latest_version._batch_id
    from latest_version
    {{ lateral_series('positions', 'line_number', json_array_length_at('latest_version.payload', '$.items')) }}

),

cleaned as (

    select
        {{ clean_text('io_id') }} as outbound_id,
        cast(line_number as integer) as line_number,
        {{ clean_text('o_id') }} as erp_order_id,
        {{ clean_text('so_id') }} as tmall_order_id,
        {{ clean_text('status') }} as outbound_status_text,
        {{ to_china_timestamp('io_date') }} as shipped_at,
        {{ clean_text('warehouse_name') }} as warehouse_name,
        {{ clean_text('waybill_no') }} as waybill_no,
        {{ clean_text('logistics_company') }} as logistics_company,
        {{ clean_text(json_text('item', '$.sku_id')) }} as sku_id,
        {{ to_quantity(json_text('item', '$.qty')) }} as quantity,
        {{ to_money(json_text('item', '$.sale_price')) }} as sale_price,
        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from lines

),

final as (

    select
        cleaned.outbound_id || '-' || cast(cleaned.line_number as {{ dbt.type_string() }}) as shipment_line_id,
        cleaned.outbound_id,
        cleaned.line_number,
        cleaned.erp_order_id,
        cleaned.tmall_order_id,
        status_map.outbound_status,
        status_map.outbound_status_name,
        cleaned.outbound_status_text,
        status_map.is_shipped,
        cleaned.shipped_at,
        cleaned.warehouse_name,
        cleaned.waybill_no,
        cleaned.logistics_company,
        cleaned.sku_id,
        cleaned.quantity,
        cleaned.sale_price,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.outbound_status_text = status_map.export_status

)

select * from final
