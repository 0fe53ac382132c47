{{
    config(
        materialized='table',
    )
}}
{#-
    Tmall refunds from the seller center's refund export (退款管理), one row per refund (退款编号): its latest
    delivery. A table, not a view: it hashes the buyer with the salt, and a view would keep the salt in its stored
    definition. Columns and status vocabulary match stg_top__refunds, so int_tmall_refunds_unioned can stack them.
-#}

with

source as (

    select * from {{ source('tmall', 'tmall_refunds') }}

),

refund_status_map as (

    select * from {{ ref('tmall_refund_status_map') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('refund_id')]) }}

),

final as (

    select
        {{ clean_text('latest_version.refund_id') }} as refund_id,
        {{ clean_text('latest_version.order_id') }} as order_id,
        {{ clean_text('latest_version.sub_order_id') }} as sub_order_id,
        {{ hash_personal_data('latest_version.buyer_nick') }} as customer_key,
        refund_status_map.refund_status,
        coalesce(refund_status_map.is_refunded, false) as is_refund_successful,
        {{ to_yes_no_boolean('latest_version.goods_return_required') }} as has_good_return,
        {{ clean_text('latest_version.goods_status') }} as goods_status,
        {{ clean_text('latest_version.refund_reason') }} as refund_reason,
        case
            when {{ clean_text('latest_version.refund_phase') }} like '售中%' then 'onsale'
            when {{ clean_text('latest_version.refund_phase') }} like '售后%' then 'aftersale'
        end as refund_phase,
        {{ to_money('latest_version.refund_amount') }} as refund_amount,
        {{ to_money('latest_version.paid_amount') }} as paid_amount,
        {{ clean_text('latest_version.merchant_sku_code') }} as merchant_sku_code,
        {{ clean_text('latest_version.item_title') }} as item_title,
        {{ clean_text('latest_version.shop_name') }} as shop_name,
        {{ to_china_timestamp('latest_version.paid_at') }} as order_paid_at,
        {{ to_china_timestamp('latest_version.applied_at') }} as applied_at,
        {{ to_china_timestamp('latest_version.finished_at') }} as finished_at,
        {{ hash_personal_data('latest_version.refund_description') }} as refund_description_hash,

        latest_version._source_file,
        cast(latest_version._source_row_number as bigint) as _source_row_number,
        cast(latest_version._loaded_at as timestamp) as _loaded_at,
        latest_version._batch_id
    from latest_version
    left join refund_status_map
        on {{ clean_text('latest_version.refund_status') }} = refund_status_map.export_status

)

select * from final
