{{
    config(
        materialized='table',
    )
}}
{#-
    ERP sales orders from the 聚水潭 open API, one row per ERP order (latest version by `modified`), with the
    columns of stg_erp__sales_orders where they mean the same thing, so the two can be unioned. A table, not a
    view: it hashes personal data with the salt, and a view would keep the salt in its stored definition.
-#}

with

source as (

    select * from {{ source('erp_api', 'jst_orders') }}

),

status_map as (

    select * from {{ ref('erp_order_status_map') }}

),

provinces as (

    select * from {{ ref('china_provinces') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('o_id')], modified='modified') }}

),

fields as (

    select
        o_id,
        so_id,
        status,
        modified,
        {{ json_text('payload', '$.merge_so_id') }} as merge_so_id,
        {{ json_text('payload', '$.shop_name') }} as shop_name,
        {{ json_text('payload', '$.shop_status') }} as shop_status,
        {{ json_text('payload', '$.order_date') }} as order_date,
        {{ json_text('payload', '$.pay_date') }} as pay_date,
        {{ json_text('payload', '$.send_date') }} as send_date,
        {{ json_text('payload', '$.pay_amount') }} as pay_amount,
        {{ json_text('payload', '$.paid_amount') }} as paid_amount,
        {{ json_text('payload', '$.freight') }} as freight,
        {{ json_text('payload', '$.free_amount') }} as free_amount,
        {{ json_text('payload', '$.l_id') }} as l_id,
        {{ json_text('payload', '$.logistics_company') }} as logistics_company,
        {{ json_text('payload', '$.wms_co_id') }} as wms_co_id,
        {{ json_text('payload', '$.receiver_name') }} as receiver_name,
        {{ json_text('payload', '$.receiver_mobile') }} as receiver_mobile,
        {{ json_text('payload', '$.receiver_state') }} as receiver_state,
        {{ json_text('payload', '$.receiver_city') }} as receiver_city,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from latest_version

),

cleaned as (

    select
        {{ clean_text('o_id') }} as erp_order_id,
        -- a merged order lists the other Tmall ids in merge_so_id: `,`-separated without spaces, like the export
        {{ regexp_replace_all(
            "concat_ws(',', " ~ clean_text('so_id') ~ ", replace(" ~ clean_text('merge_so_id') ~ ", '，', ','))",
            '\\s+', ''
        ) }} as tmall_order_ids,
        {{ clean_text('shop_name') }} as shop_name,
        {{ clean_text('status') }} as erp_status_text,
        upper({{ clean_text('shop_status') }}) as tmall_status,

        {{ to_china_timestamp('order_date') }} as ordered_at,
        {{ to_china_timestamp('pay_date') }} as paid_at,
        {{ to_china_timestamp('send_date') }} as shipped_at,
        {{ to_china_timestamp('modified') }} as modified_at,

        {{ to_money('pay_amount') }} as payable_amount,
        {{ to_money('paid_amount') }} as paid_amount,
        {{ to_money('freight') }} as freight,
        {{ to_money('free_amount') }} as discount_amount,

        {{ clean_text('l_id') }} as waybill_no,
        {{ clean_text('logistics_company') }} as logistics_company,
        {{ clean_text('wms_co_id') }} as warehouse_id,

        {{ hash_personal_data('receiver_name') }} as receiver_name_hash,
        {{ hash_personal_data(regexp_replace_all('receiver_mobile', '[^0-9]', '')) }} as receiver_mobile_hash,
        {{ clean_text('receiver_state') }} as receiver_province_text,
        case
            when {{ clean_text('receiver_city') }} not like '%*%' then {{ clean_text('receiver_city') }}
        end as receiver_city,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from fields

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
        -- the API names the warehouse by id only (wms_co_id); its name comes from the outbound or stock data
        cast(null as {{ dbt.type_string() }}) as warehouse_name,

        provinces.province_name as receiver_province,
        cleaned.receiver_city,
        cleaned.receiver_name_hash,
        cleaned.receiver_mobile_hash,

        -- API only
        cleaned.warehouse_id,

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
