{#-
    Incremental (macros/incremental.sql): a run recomputes the line sets of the outbounds with a row loaded in the
    window and replaces each outbound's lines (delete+insert on outbound_id: a later delivery may carry fewer
    lines). A table, so that its data tests and the models downstream read it once.
-#}
{{
    config(
        materialized=incremental_materialization('delete+insert'),
        incremental_strategy='delete+insert',
        unique_key='outbound_id',
        on_schema_change='fail',
    )
}}

with

source as (

    select * from {{ source('erp', 'erp_shipments') }}
    {{- only_keys_loaded_since(
        clean_text('outbound_id'), [[source('erp', 'erp_shipments'), clean_text('outbound_id')]]
    ) }}

),

status_map as (

    select * from {{ ref('erp_outbound_status_map') }}

),

typed as (

    select
        *,
        {{ clean_text('outbound_id') }} as cleaned_outbound_id
    from source

),

-- an outbound's lines are taken as a set from the latest delivery that carries the outbound
latest_delivery as (

    {{ latest_delivery('typed', key='cleaned_outbound_id') }}

),

-- the export has no line number: lines are numbered by their order in that file
latest_version as (

    select
        *,
        row_number() over (
            partition by cleaned_outbound_id
            order by cast(_source_row_number as bigint)
        ) as line_number
    from latest_delivery

),

cleaned as (

    select
        cleaned_outbound_id as outbound_id,
        cast(line_number as integer) as line_number,
        {{ clean_text('erp_order_id') }} as erp_order_id,
        {{ clean_text('tmall_order_id') }} as tmall_order_id,
        {{ clean_text('outbound_status') }} as outbound_status_text,
        {{ to_china_timestamp('shipped_at') }} as shipped_at,
        {{ clean_text('warehouse_name') }} as warehouse_name,
        {{ clean_text('waybill_no') }} as waybill_no,
        {{ clean_text('logistics_company') }} as logistics_company,
        {{ clean_text('sku_id') }} as sku_id,
        {{ to_quantity('quantity') }} as quantity,
        {{ to_money('sale_price') }} as sale_price,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

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
