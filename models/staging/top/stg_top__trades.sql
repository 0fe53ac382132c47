{{
    config(
        materialized='table',
    )
}}
{#-
    Tmall orders from the TOP API, one row per trade, with the columns of stg_tmall__orders where they mean the
    same thing (same names, same types, same hashing), so the two can be unioned. A table, not a view: it hashes
    personal data with the salt, and a view would keep the salt in its stored definition.
-#}

with

source as (

    select * from {{ source('top', 'top_trades') }}

),

status_map as (

    select * from {{ ref('tmall_order_status_map') }}

),

provinces as (

    select * from {{ ref('china_provinces') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('tid')], modified='modified') }}

),

fields as (

    select
        tid,
        status,
        created,
        modified,
        {{ json_text('payload', '$.type') }} as trade_type,
        {{ json_text('payload', '$.pay_time') }} as pay_time,
        {{ json_text('payload', '$.consign_time') }} as consign_time,
        {{ json_text('payload', '$.end_time') }} as end_time,
        {{ json_text('payload', '$.payment') }} as payment,
        {{ json_text('payload', '$.post_fee') }} as post_fee,
        {{ json_text('payload', '$.discount_fee') }} as discount_fee,
        {{ json_text('payload', '$.adjust_fee') }} as adjust_fee,
        {{ json_text('payload', '$.received_payment') }} as received_payment,
        {{ json_text('payload', '$.alipay_no') }} as alipay_no,
        {{ json_text('payload', '$.seller_nick') }} as seller_nick,
        {{ json_text('payload', '$.shipping_type') }} as shipping_type,
        {{ json_text('payload', '$.trade_from') }} as trade_from,
        {{ json_text('payload', '$.buyer_nick') }} as buyer_nick,
        {{ json_text('payload', '$.buyer_open_uid') }} as buyer_open_uid,
        {{ json_text('payload', '$.oaid') }} as oaid,
        {{ json_text('payload', '$.buyer_message') }} as buyer_message,
        {{ json_text('payload', '$.receiver_name') }} as receiver_name,
        {{ json_text('payload', '$.receiver_mobile') }} as receiver_mobile,
        {{ json_text('payload', '$.receiver_phone') }} as receiver_phone,
        {{ json_text('payload', '$.receiver_state') }} as receiver_state,
        {{ json_text('payload', '$.receiver_city') }} as receiver_city,
        {{ json_text('payload', '$.receiver_district') }} as receiver_district,
        {{ json_text('payload', '$.receiver_address') }} as receiver_address,
        -- the sub-orders: titles (joined with `，` as the export's 宝贝标题), count, units, and the first waybill
        {{ json_array_join_field('payload', '$.orders', 'title', '，') }} as item_titles,
        {{ json_array_length_at('payload', '$.orders') }} as item_kinds,
        {{ json_array_sum_field('payload', '$.orders', 'num') }} as item_quantity,
        {{ json_text('payload', '$.orders[0].invoice_no') }} as invoice_no,
        {{ json_text('payload', '$.orders[0].logistics_company') }} as logistics_company,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from latest_version

),

cleaned as (

    select
        {{ clean_text('tid') }} as order_id,

        -- personal data, hashed exactly as stg_tmall__orders does (the same buyer gets the same customer key);
        -- a masked nick falls back to buyer_open_uid, then OAID (macro customer_key)
        {{ customer_key('buyer_nick', 'buyer_open_uid', 'oaid') }} as customer_key,
        {{ customer_key_source('buyer_nick', 'buyer_open_uid', 'oaid') }} as customer_key_source,
        {{ hash_personal_data('buyer_open_uid') }} as buyer_open_uid_hash,
        {{ hash_personal_data('receiver_name') }} as receiver_name_hash,
        -- the export's 收货地址 is `省 市 区 详细地址`: the same text is rebuilt from TOP's parts before hashing
        {{ hash_personal_data(
            "concat_ws(' ', nullif(trim(receiver_state), ''), nullif(trim(receiver_city), ''), "
            ~ "nullif(trim(receiver_district), ''), nullif(trim(receiver_address), ''))"
        ) }} as receiver_address_hash,
        {{ hash_personal_data(regexp_replace_all('receiver_phone', '[^0-9]', '')) }} as receiver_phone_hash,
        {{ hash_personal_data(regexp_replace_all('receiver_mobile', '[^0-9]', '')) }} as receiver_mobile_hash,
        {{ hash_personal_data('buyer_message') }} as buyer_message_hash,

        {{ clean_text('receiver_state') }} as receiver_state,
        -- county-level cities directly under a province come with an empty city and the city in the district
        coalesce({{ clean_text('receiver_city') }}, {{ clean_text('receiver_district') }}) as receiver_city_text,

        {{ clean_text('alipay_no') }} as payment_no,
        {{ clean_text('seller_nick') }} as shop_name,
        upper({{ clean_text('status') }}) as order_status_text,
        {{ clean_text('trade_type') }} as trade_type,

        {{ to_money('payment') }} as payment,
        {{ to_money('post_fee') }} as post_fee,
        {{ to_money('discount_fee') }} as discount_fee,
        {{ to_money('adjust_fee') }} as adjust_fee,
        {{ to_money('received_payment') }} as received_payment,

        {{ clean_text('item_titles') }} as item_titles,
        cast(item_kinds as integer) as item_kinds,
        cast(item_quantity as integer) as item_quantity,
        -- TOP's shipping_type code in the export's words (运送方式)
        case lower({{ clean_text('shipping_type') }})
            when 'express' then '快递'
            when 'post' then '平邮'
            when 'ems' then 'EMS'
            when 'free' then '卖家承担运费'
            when 'virtual' then '虚拟发货'
            else {{ clean_text('shipping_type') }}
        end as shipping_method,
        {{ clean_text('invoice_no') }} as waybill_no,
        {{ clean_text('logistics_company') }} as logistics_company,
        coalesce(upper(trade_from) like '%WAP%', false) as is_mobile_order,

        {{ to_china_timestamp('created') }} as created_at,
        {{ to_china_timestamp('pay_time') }} as paid_at,
        {{ to_china_timestamp('consign_time') }} as shipped_at,
        {{ to_china_timestamp('end_time') }} as end_at,
        {{ to_china_timestamp('modified') }} as modified_at,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from fields

),

final as (

    select
        cleaned.order_id,
        cleaned.customer_key,
        cast(null as {{ dbt.type_string() }}) as shop_id,
        cleaned.shop_name,

        status_map.order_status,
        status_map.order_status_name,
        cleaned.order_status_text,
        status_map.is_paid as is_status_paid,
        status_map.is_closed as is_status_closed,
        cast(null as {{ dbt.type_string() }}) as close_reason,

        cast(cleaned.payment - coalesce(cleaned.post_fee, 0) as decimal(18, 2)) as goods_amount,
        cleaned.post_fee,
        cleaned.payment as total_amount,
        cleaned.received_payment as reported_paid_amount,

        cleaned.created_at,
        cleaned.paid_at,
        cleaned.shipped_at,
        case when status_map.order_status = 'TRADE_FINISHED' then cleaned.end_at end as confirmed_at,

        provinces.province_name as receiver_province,
        case when cleaned.receiver_city_text not like '%*%' then cleaned.receiver_city_text end as receiver_city,

        cleaned.item_titles,
        cleaned.item_kinds,
        cleaned.item_quantity,
        cleaned.shipping_method,
        cleaned.waybill_no,
        cleaned.logistics_company,
        cleaned.is_mobile_order,
        cleaned.payment_no,

        cast(null as {{ dbt.type_string() }}) as buyer_alipay_account_hash,
        cleaned.receiver_name_hash,
        cleaned.receiver_address_hash,
        cleaned.receiver_phone_hash,
        cleaned.receiver_mobile_hash,
        cleaned.buyer_message_hash,

        -- TOP only
        cleaned.modified_at,
        cleaned.end_at,
        cleaned.trade_type,
        cleaned.discount_fee,
        cleaned.adjust_fee,
        cleaned.buyer_open_uid_hash,
        cleaned.customer_key_source,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.order_status_text = status_map.export_status
    left join provinces
        on cleaned.receiver_state = provinces.province_alias

)

select * from final
