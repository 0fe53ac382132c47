{{
    config(
        materialized='table',
    )
}}
{#-
    ERP purchase receipts (采购入库), one row per received SKU line. A receipt's lines are taken as a set from its
    latest version: the latest ERP 修改时间 first, then the latest delivery (so re-loading an old export never
    wins). Status mapped through seed erp_purchase_receipt_status_map.
    A table, not a view: its 7 data tests would each recompute a view over every delivered row.
-#}

with

source as (

    select * from {{ source('erp', 'erp_purchase_receipts') }}

),

status_map as (

    select * from {{ ref('erp_purchase_receipt_status_map') }}

),

typed as (

    select
        *,
        {{ clean_text('receipt_id') }} as cleaned_receipt_id,
        {{ clean_text('sku_id') }} as cleaned_sku_id,
        {{ to_china_timestamp('modified_at') }} as cleaned_modified_at
    from source

),

-- a receipt's lines come as a set from its latest version ...
latest_delivery as (

    {{ latest_delivery('typed', key='cleaned_receipt_id', prefer='cleaned_modified_at desc nulls last') }}

),

-- ... and within it, one row per SKU (the raw gate blocks an export listing a SKU twice in a receipt)
latest_version as (

    {{ latest_version('latest_delivery', key=['cleaned_receipt_id', 'cleaned_sku_id']) }}

),

cleaned as (

    select
        cleaned_receipt_id as receipt_id,
        cleaned_sku_id as sku_id,
        {{ clean_text('purchase_order_id') }} as purchase_order_id,
        {{ to_china_timestamp('purchase_ordered_at') }} as purchase_ordered_at,
        {{ clean_text('supplier_name') }} as supplier_name,
        {{ clean_text('warehouse_name') }} as warehouse_name,
        {{ clean_text('style_id') }} as style_id,
        {{ clean_text('sku_name') }} as sku_name,
        {{ to_quantity('quantity') }} as quantity,
        {{ to_money('cost_price') }} as cost_price,
        {{ to_money('amount') }} as reported_amount,
        {{ to_china_timestamp('received_at') }} as received_at,
        {{ clean_text('receipt_status') }} as receipt_status_text,
        cleaned_modified_at as modified_at,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

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

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.receipt_status_text = status_map.export_status

)

select * from final
