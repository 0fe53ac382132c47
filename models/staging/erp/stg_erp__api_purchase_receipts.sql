{#-
    ERP purchase receipts (采购入库) from the 聚水潭 open API, one row per received SKU line, with the columns of
    stg_erp__purchase_receipts. A receipt's lines are the `items[]` of its latest version: the latest `modified`
    first, then the latest load (macro latest_delivery_first), so reloading an old window never wins. Within that
    version one row per SKU (a SKU listed twice keeps its later line). Status through seed
    erp_purchase_receipt_status_map, which holds the API codes.
-#}

with

source as (

    select * from {{ source('erp_api', 'jst_purchase_receipts') }}

),

status_map as (

    select * from {{ ref('erp_purchase_receipt_status_map') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('io_id')], modified='modified') }}

),

items as (

    select
        latest_version.io_id,
        latest_version.po_id,
        latest_version.status,
        latest_version.io_date,
        latest_version.modified,
        {{ json_text('latest_version.payload', '$.po_date') }} as po_date,
        {{ json_text('latest_version.payload', '$.supplier_name') }} as supplier_name,
        {{ json_text('latest_version.payload', '$.supplier_id') }} as supplier_id,
        {{ json_text('latest_version.payload', '$.warehouse') }} as warehouse_name,
        {{ json_text('latest_version.payload', '$.wms_co_id') }} as wms_co_id,
        positions.line_number,
        {{ json_at('latest_version.payload', "'$.items[' || (positions.line_number - 1) || ']'") }} as item,
        latest_version._source_file,
        latest_version._source_row_number,
        latest_version._loaded_at,
        latest_version._batch_id
    from latest_version
    {{ lateral_series('positions', 'line_number', json_array_length_at('latest_version.payload', '$.items')) }}

),

lines as (

    select
        *,
        {{ clean_text(json_text('item', '$.sku_id')) }} as cleaned_sku_id,
        row_number() over (
            partition by {{ clean_text('io_id') }}, {{ clean_text(json_text('item', '$.sku_id')) }}
            order by line_number desc
        ) as line_rank
    from items

),

cleaned as (

    select
        {{ clean_text('io_id') }} as receipt_id,
        cleaned_sku_id as sku_id,
        {{ clean_text('po_id') }} as purchase_order_id,
        {{ to_china_timestamp('po_date') }} as purchase_ordered_at,
        {{ clean_text('supplier_name') }} as supplier_name,
        {{ clean_text('warehouse_name') }} as warehouse_name,
        {{ clean_text(json_text('item', '$.i_id')) }} as style_id,
        {{ clean_text(json_text('item', '$.name')) }} as sku_name,
        {{ to_quantity(json_text('item', '$.qty')) }} as quantity,
        {{ to_money(json_text('item', '$.cost_price')) }} as cost_price,
        {{ to_money(json_text('item', '$.cost_amount')) }} as reported_amount,
        {{ to_china_timestamp('io_date') }} as received_at,
        {{ clean_text('status') }} as receipt_status_text,
        {{ to_china_timestamp('modified') }} as modified_at,
        {{ clean_text('wms_co_id') }} as warehouse_id,
        {{ clean_text('supplier_id') }} as supplier_id,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from lines
    where line_rank = 1

),

final as (

    select
        cleaned.receipt_id || '-' || cleaned.sku_id as receipt_line_id,
        cleaned.receipt_id,
        cleaned.purchase_order_id,
        cleaned.purchase_ordered_at,
        cleaned.supplier_name,
        cleaned.warehouse_name,
        cleaned.sku_id,
        cleaned.style_id,
        cleaned.sku_name,
        cleaned.quantity,
        cleaned.cost_price,
        cast(coalesce(cleaned.reported_amount, cleaned.cost_price * cleaned.quantity) as decimal(18, 2)) as amount,
        cleaned.reported_amount,
        cleaned.received_at,
        cast(cleaned.received_at as date) as received_date,
        status_map.receipt_status,
        status_map.receipt_status_name,
        cleaned.receipt_status_text,
        coalesce(status_map.is_received, cleaned.receipt_status_text is null) as is_received,
        cleaned.modified_at,

        -- API only
        cleaned.warehouse_id,
        cleaned.supplier_id,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.receipt_status_text = status_map.export_status

)

select * from final
