{#-
    One row per ERP outbound shipment line (出仓单 line, latest delivery of the outbound), with its line amount
    and the warehouse it left from. Cancelled or deleted outbounds stay visible (is_shipped = false).

    Incremental (macros/incremental.sql): a run recomputes every line of the outbounds with a line loaded in the
    window, and merges them on shipment_line_id.
-#}

{{
    config(
        materialized=incremental_materialization(),
        file_format=spark_file_format(),
        incremental_strategy='merge',
        unique_key='shipment_line_id',
        on_schema_change='fail',
    )
}}

with

shipments as (

    select * from {{ ref('int_erp_shipments_unioned') }}
    {% if is_incremental() -%}
        where outbound_id in (
            select outbound_id from {{ ref('int_erp_shipments_unioned') }}
            where _loaded_at >= {{ incremental_loaded_since() }}
        )
    {%- endif %}

),

final as (

    select
        shipment_line_id,
        outbound_id,
        line_number,
        erp_order_id,
        tmall_order_id,
        outbound_status,
        outbound_status_name,
        coalesce(is_shipped, false) as is_shipped,
        shipped_at,
        cast(shipped_at as date) as shipped_date,
        warehouse_name,
        logistics_company,
        waybill_no,
        sku_id,
        quantity,
        sale_price,
        cast(sale_price * quantity as decimal(18, 2)) as line_amount
    from shipments

)

select * from final
