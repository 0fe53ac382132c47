{{
    config(
        materialized='table',
    )
}}
{#-
    Tmall refunds from the TOP API, one row per refund: the latest version by modified time. A table, not a view:
    it hashes the buyer with the salt, and a view would keep the salt in its stored definition.
-#}

with

source as (

    select * from {{ source('top', 'top_refunds') }}

),

latest_version as (

    {{ latest_version('source', key=[clean_text('refund_id')], modified='modified') }}

),

fields as (

    select
        refund_id,
        tid,
        oid,
        status,
        created,
        modified,
        {{ json_text('payload', '$.refund_fee') }} as refund_fee,
        {{ json_text('payload', '$.total_fee') }} as total_fee,
        {{ json_text('payload', '$.payment') }} as payment,
        {{ json_text('payload', '$.order_status') }} as order_status,
        {{ json_text('payload', '$.good_status') }} as good_status,
        {{ json_text('payload', '$.has_good_return') }} as has_good_return,
        {{ json_text('payload', '$.reason') }} as reason,
        {{ json_text('payload', '$.refund_phase') }} as refund_phase,
        {{ json_text('payload', '$.num') }} as num,
        {{ json_text('payload', '$.outer_id') }} as outer_id,
        {{ json_text('payload', '$.buyer_nick') }} as buyer_nick,
        {{ json_text('payload', '$.buyer_open_uid') }} as buyer_open_uid,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from latest_version

),

final as (

    select
        {{ clean_text('refund_id') }} as refund_id,
        {{ clean_text('tid') }} as order_id,
        {{ clean_text('oid') }} as sub_order_id,
        {{ customer_key('buyer_nick', 'buyer_open_uid') }} as customer_key,
        {{ hash_personal_data('buyer_open_uid') }} as buyer_open_uid_hash,
        upper({{ clean_text('status') }}) as refund_status,
        upper({{ clean_text('status') }}) = 'SUCCESS' as is_refund_successful,
        upper({{ clean_text('order_status') }}) as order_status,
        upper({{ clean_text('good_status') }}) as good_status,
        {{ to_yes_no_boolean('has_good_return') }} as has_good_return,
        {{ clean_text('reason') }} as refund_reason,
        lower({{ clean_text('refund_phase') }}) as refund_phase,
        {{ to_money('refund_fee') }} as refund_amount,
        {{ to_money('total_fee') }} as order_total_fee,
        {{ to_money('payment') }} as order_payment,
        {{ to_quantity('num') }} as quantity,
        {{ clean_text('outer_id') }} as merchant_sku_code,
        {{ to_china_timestamp('created') }} as created_at,
        {{ to_china_timestamp('modified') }} as modified_at,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from fields

)

select * from final
