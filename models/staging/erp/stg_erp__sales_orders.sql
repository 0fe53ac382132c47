{{
    config(
        materialized=incremental_materialization(),
        file_format=spark_file_format(),
        incremental_strategy='merge',
        unique_key='erp_order_id',
        on_schema_change='fail',
    )
}}
{#-
    A table, not a view: this model hashes personal data with the salt, and a view would keep the salt in
    its stored definition in the warehouse. Incremental (macros/incremental.sql): a run recomputes the ERP
    orders with a row loaded in the window, from all their delivered versions.
-#}

with

source as (

    select * from {{ source('erp', 'erp_sales_orders') }}
    {{- only_keys_loaded_since(
        clean_text('erp_order_id'), [[source('erp', 'erp_sales_orders'), clean_text('erp_order_id')]]
    ) }}

),

status_map as (

    select * from {{ ref('erp_order_status_map') }}

),

provinces as (

    select * from {{ ref('china_provinces') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('erp_order_id')], modified='modified_at') }}

),

cleaned as (

    select
        {{ clean_text('erp_order_id') }} as erp_order_id,
        -- merged orders list several Tmall ids; normalise the separator to `,` without spaces
        {{ regexp_replace_all("replace(" ~ clean_text('tmall_order_id') ~ ", '，', ',')", '\\s+', '') }}
            as tmall_order_ids,
        {{ clean_text('shop_name') }} as shop_name,
        {{ clean_text('erp_status') }} as erp_status_text,
        upper({{ clean_text('tmall_status') }}) as tmall_status,

        {{ to_china_timestamp('ordered_at') }} as ordered_at,
        {{ to_china_timestamp('paid_at') }} as paid_at,
        {{ to_china_timestamp('shipped_at') }} as shipped_at,
        {{ to_china_timestamp('modified_at') }} as modified_at,

        {{ to_money('payable_amount') }} as payable_amount,
        {{ to_money('paid_amount') }} as paid_amount,
        {{ to_money('freight') }} as freight,
        {{ to_money('discount_amount') }} as discount_amount,

        {{ clean_text('waybill_no') }} as waybill_no,
        {{ clean_text('logistics_company') }} as logistics_company,
        {{ clean_text('warehouse_name') }} as warehouse_name,

        {{ hash_personal_data('receiver_name') }} as receiver_name_hash,
        {{ hash_personal_data(regexp_replace_all('receiver_mobile', '[^0-9]', '')) }} as receiver_mobile_hash,
        {{ clean_text('receiver_province') }} as receiver_province_text,
        case
            when {{ clean_text('receiver_city') }} not like '%*%' then {{ clean_text('receiver_city') }}
        end as receiver_city,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

),

final as (

    select
        cleaned.erp_order_id,
        cleaned.tmall_order_ids,
        cleaned.shop_name,
        status_map.erp_status,
        status_map.erp_status_name,
        cleaned.erp_status_text,
        status_map.is_active,
        status_map.is_shipped,
        cleaned.tmall_status,

        cleaned.ordered_at,
        cleaned.paid_at,
        cleaned.shipped_at,
        cleaned.modified_at,

        cleaned.payable_amount,
        cleaned.paid_amount,
        cleaned.freight,
        cleaned.discount_amount,

        cleaned.waybill_no,
        cleaned.logistics_company,
        cleaned.warehouse_name,

        provinces.province_name as receiver_province,
        cleaned.receiver_city,
        cleaned.receiver_name_hash,
        cleaned.receiver_mobile_hash,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.erp_status_text = status_map.export_status
    left join provinces
        on cleaned.receiver_province_text = provinces.province_alias

)

select * from final
