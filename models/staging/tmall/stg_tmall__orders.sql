{{
    config(
        materialized='table',
    )
}}
{#-
    A table, not a view: this model hashes personal data with the salt, and a view would keep the salt in
    its stored definition in the warehouse.
-#}

with

source as (

    select * from {{ source('tmall', 'tmall_orders') }}

),

status_map as (

    select * from {{ ref('tmall_order_status_map') }}

),

provinces as (

    select * from {{ ref('china_provinces') }}

),

versions as (

    select
        *,
        row_number() over (
            partition by {{ clean_text('order_id') }}
            order by {{ latest_delivery_first() }}
        ) as version_rank

    from source

),

latest_version as (

    select * from versions
    where version_rank = 1

),

cleaned as (

    select
        {{ clean_text('order_id') }} as order_id,

        -- personal data, hashed (the hashed buyer nick is the customer key)
        {{ hash_personal_data('buyer_nick') }} as customer_key,
        {{ hash_personal_data('buyer_alipay_account') }} as buyer_alipay_account_hash,
        {{ hash_personal_data('receiver_name') }} as receiver_name_hash,
        {{ hash_personal_data('receiver_address') }} as receiver_address_hash,
        {{ hash_personal_data("regexp_replace(receiver_phone, '[^0-9]', '', 'g')") }} as receiver_phone_hash,
        {{ hash_personal_data("regexp_replace(receiver_mobile, '[^0-9]', '', 'g')") }} as receiver_mobile_hash,
        {{ hash_personal_data('buyer_message') }} as buyer_message_hash,

        -- 收货地址 `省 市 区 详细地址`: only the first two parts are kept, the detail is dropped
        regexp_split_to_array(
            regexp_replace({{ clean_text('receiver_address') }}, '[\s\x{3000}]+', ' ', 'g'), ' '
        ) as address_parts,

        {{ clean_text('payment_no') }} as payment_no,
        {{ clean_text('shop_id') }} as shop_id,
        {{ clean_text('shop_name') }} as shop_name,
        -- re-saved files sometimes carry a half-width comma inside the status
        replace({{ clean_text('order_status') }}, ',', '，') as order_status_text,
        {{ clean_text('close_reason') }} as close_reason,

        {{ to_money('goods_amount') }} as goods_amount,
        {{ to_money('post_fee') }} as post_fee,
        {{ to_money('total_amount') }} as total_amount,
        {{ to_money('paid_amount') }} as reported_paid_amount,
        {{ to_money('refund_amount') }} as refund_amount,

        {{ clean_text('item_titles') }} as item_titles,
        {{ to_quantity('item_kinds') }} as item_kinds,
        {{ to_quantity('item_quantity') }} as item_quantity,
        {{ clean_text('shipping_method') }} as shipping_method,
        {{ clean_text('waybill_no') }} as waybill_no,
        {{ clean_text('logistics_company') }} as logistics_company,
        {{ clean_text('is_mobile_order') }} in ('手机订单', '是') as is_mobile_order,

        {{ to_china_timestamp('created_at') }} as created_at,
        {{ to_china_timestamp('paid_at') }} as paid_at,
        {{ to_china_timestamp('shipped_at') }} as shipped_at,
        {{ to_china_timestamp('confirmed_at') }} as confirmed_at,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

),

final as (

    select
        cleaned.order_id,
        cleaned.customer_key,
        cleaned.shop_id,
        cleaned.shop_name,

        status_map.order_status,
        status_map.order_status_name,
        cleaned.order_status_text,
        status_map.is_paid as is_status_paid,
        status_map.is_closed as is_status_closed,
        cleaned.close_reason,

        cleaned.goods_amount,
        cleaned.post_fee,
        cleaned.total_amount,
        cleaned.reported_paid_amount,
        cleaned.refund_amount,

        cleaned.created_at,
        cleaned.paid_at,
        cleaned.shipped_at,
        cleaned.confirmed_at,

        provinces.province_name as receiver_province,
        case
            when len(cleaned.address_parts) >= 2
                and cleaned.address_parts[2] <> ''
                and cleaned.address_parts[2] not like '%*%'
                then cleaned.address_parts[2]
        end as receiver_city,

        cleaned.item_titles,
        cleaned.item_kinds,
        cleaned.item_quantity,
        cleaned.shipping_method,
        cleaned.waybill_no,
        cleaned.logistics_company,
        cleaned.is_mobile_order,
        cleaned.payment_no,

        cleaned.buyer_alipay_account_hash,
        cleaned.receiver_name_hash,
        cleaned.receiver_address_hash,
        cleaned.receiver_phone_hash,
        cleaned.receiver_mobile_hash,
        cleaned.buyer_message_hash,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.order_status_text = status_map.export_status
    left join provinces
        on cleaned.address_parts[1] = provinces.province_alias

)

select * from final
