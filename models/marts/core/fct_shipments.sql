{#-
    One row per ERP outbound shipment line (出仓单 line, latest delivery of the outbound), with its line amount
    and the warehouse it left from. Cancelled or deleted outbounds stay visible (is_shipped = false).
-#}

with

shipments as (

    select * from {{ ref('int_erp_shipments_unioned') }}

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
