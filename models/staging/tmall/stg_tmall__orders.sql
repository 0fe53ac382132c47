{{
    config(
        materialized=incremental_materialization(),
        file_format=spark_file_format(),
        incremental_strategy='merge',
        unique_key='order_id',
        on_schema_change='fail',
    )
}}
{#-
    A table, not a view: this model hashes personal data with the salt, and a view would keep the salt in
    its stored definition in the warehouse. Incremental (macros/incremental.sql): a run recomputes the orders
    with a row of either export loaded in the window, from all their delivered versions.
-#}

{%- set order_inputs = [
    [source('tmall', 'tmall_orders'), clean_text('order_id')],
    [source('tmall', 'tmall_sub_orders'), clean_text('order_id')],
] %}

with

order_report as (

    select * from {{ source('tmall', 'tmall_orders') }}
    {{- only_keys_loaded_since(clean_text('order_id'), order_inputs) }}

),

sub_order_export as (

    select * from {{ source('tmall', 'tmall_sub_orders') }}
    {{- only_keys_loaded_since(clean_text('order_id'), order_inputs) }}

),

status_map as (

    select * from {{ ref('tmall_order_status_map') }}

),

refund_status_map as (

    select * from {{ ref('tmall_refund_status_map') }}

),

provinces as (

    select * from {{ ref('china_provinces') }}

),

-- the classic order report: one row per order and delivered file, as exported
order_report_rows as (

    select
        {{ clean_text('order_id') }} as order_id,
        buyer_nick,
        buyer_alipay_account,
        receiver_name,
        receiver_address,
        receiver_phone,
        receiver_mobile,
        buyer_message,
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
        'order_report' as source_export,
        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from order_report

),

-- the sub-order export: one row per sub-order; the latest row of each sub-order within one delivered file
sub_order_rows as (

    select
        sub_order_export.*,
        {{ clean_text('sub_order_export.order_id') }} as cleaned_order_id,
        replace({{ clean_text('sub_order_export.order_status') }}, ',', '，') as order_status_text,
        row_number() over (
            partition by {{ clean_text('sub_order_export.sub_order_id') }}, sub_order_export._batch_id
            order by cast(sub_order_export._source_row_number as bigint) desc
        ) as row_in_file_rank
    from sub_order_export

),

sub_order_lines as (

    select
        sub_order_rows.*,
        coalesce(status_map.is_closed, false) as is_line_closed,
        -- a refund counts only once it succeeded (退款成功); with no 退款状态 column, the amount is taken as refunded
        case
            when sub_order_rows.refund_status is null or refund_status_map.is_refunded
                then {{ to_money('sub_order_rows.refund_amount') }}
        end as line_refunded_amount
    from sub_order_rows
    left join status_map
        on sub_order_rows.order_status_text = status_map.export_status
    left join refund_status_map
        on {{ clean_text('sub_order_rows.refund_status') }} = refund_status_map.export_status
    where sub_order_rows.row_in_file_rank = 1

),

-- one order row per main order and delivered file, rolled up from its sub-orders (rule in the model YAML)
sub_order_export_rows as (

    select
        cleaned_order_id as order_id,
        max(buyer_nick) as buyer_nick,
        cast(null as {{ dbt.type_string() }}) as buyer_alipay_account,
        max(receiver_name) as receiver_name,
        max(receiver_address) as receiver_address,
        cast(null as {{ dbt.type_string() }}) as receiver_phone,
        max(receiver_mobile) as receiver_mobile,
        max(buyer_message) as buyer_message,
        cast(null as {{ dbt.type_string() }}) as payment_no,
        max({{ clean_text('shop_id') }}) as shop_id,
        max({{ clean_text('shop_name') }}) as shop_name,
        -- the order's status is that of its open sub-orders; only when all are closed is the order closed
        min_by(
            order_status_text,
            case when is_line_closed then 1 else 0 end * 1000000000 + cast(_source_row_number as bigint)
        ) as order_status_text,
        cast(null as {{ dbt.type_string() }}) as close_reason,
        cast(sum({{ to_money('goods_amount') }}) as decimal(18, 2)) as goods_amount,
        max({{ to_money('post_fee') }}) as post_fee,
        cast(
            sum({{ to_money('goods_amount') }}) + coalesce(max({{ to_money('post_fee') }}), 0) as decimal(18, 2)
        ) as total_amount,
        cast(sum({{ to_money('paid_amount') }}) as decimal(18, 2)) as reported_paid_amount,
        cast(sum(line_refunded_amount) as decimal(18, 2)) as refund_amount,
        {{ dbt.listagg(clean_text('item_title'), "'，'", 'order by cast(_source_row_number as bigint)') }}
            as item_titles,
        cast(count(*) as integer) as item_kinds,
        cast(sum({{ to_quantity('quantity') }}) as integer) as item_quantity,
        cast(null as {{ dbt.type_string() }}) as shipping_method,
        max({{ clean_text('waybill_no') }}) as waybill_no,
        max({{ clean_text('logistics_company') }}) as logistics_company,
        cast(null as boolean) as is_mobile_order,
        min({{ to_china_timestamp('created_at') }}) as created_at,
        min({{ to_china_timestamp('paid_at') }}) as paid_at,
        min({{ to_china_timestamp('shipped_at') }}) as shipped_at,
        max({{ to_china_timestamp('confirmed_at') }}) as confirmed_at,
        'sub_order_export' as source_export,
        _source_file,
        min(cast(_source_row_number as bigint)) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id
    from sub_order_lines
    group by cleaned_order_id, _source_file, cast(_loaded_at as timestamp), _batch_id

),

delivered as (

    select * from order_report_rows
    union all
    select * from sub_order_export_rows

),

-- an order delivered in several states (an export, then a later export or the sub-order export): keep the
-- furthest state of its life, then the larger refund, then the latest event time; only versions equal in all of
-- these fall back to the load order, so loading the same exports in another order gives the same versions
delivered_stages as (

    select
        delivered.*,
        delivery_status.lifecycle_stage as delivery_lifecycle_stage
    from delivered
    left join status_map as delivery_status
        on delivered.order_status_text = delivery_status.export_status

),

latest_version as (

    {{ latest_version('delivered_stages', key='order_id', prefer=
        'delivery_lifecycle_stage desc nulls last, coalesce(refund_amount, 0) desc, '
        ~ 'greatest(created_at, paid_at, shipped_at, confirmed_at) desc nulls last'
    ) }}

),

cleaned as (

    select
        order_id,

        -- personal data, hashed (the hashed buyer nick is the customer key)
        {{ hash_personal_data('buyer_nick') }} as customer_key,
        {{ hash_personal_data('buyer_alipay_account') }} as buyer_alipay_account_hash,
        {{ hash_personal_data('receiver_name') }} as receiver_name_hash,
        {{ hash_personal_data('receiver_address') }} as receiver_address_hash,
        {{ hash_personal_data(regexp_replace_all('receiver_phone', '[^0-9]', '')) }} as receiver_phone_hash,
        {{ hash_personal_data(regexp_replace_all('receiver_mobile', '[^0-9]', '')) }} as receiver_mobile_hash,
        {{ hash_personal_data('buyer_message') }} as buyer_message_hash,

        -- 收货地址 `省 市 区 详细地址`: only the first two parts are kept, the detail is dropped
        {{ regexp_split_to_array(regexp_replace_all(clean_text('receiver_address'), '[\\s\\x{3000}]+', ' '), ' ') }}
            as address_parts,

        payment_no,
        shop_id,
        shop_name,
        order_status_text,
        close_reason,

        goods_amount,
        post_fee,
        total_amount,
        reported_paid_amount,
        refund_amount,

        item_titles,
        item_kinds,
        item_quantity,
        shipping_method,
        waybill_no,
        logistics_company,
        is_mobile_order,

        created_at,
        paid_at,
        shipped_at,
        confirmed_at,

        source_export,
        _source_file,
        _source_row_number,
        _loaded_at,
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
            when {{ array_length('cleaned.address_parts') }} >= 2
                and {{ array_element('cleaned.address_parts', 2) }} <> ''
                and {{ array_element('cleaned.address_parts', 2) }} not like '%*%'
                then {{ array_element('cleaned.address_parts', 2) }}
        end as receiver_city,

        cleaned.item_titles,
        cleaned.item_kinds,
        cleaned.item_quantity,
        cleaned.shipping_method,
        cleaned.waybill_no,
        cleaned.logistics_company,
        cleaned.is_mobile_order,
        cleaned.payment_no,
        cleaned.source_export,

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
        on {{ array_element('cleaned.address_parts', 1) }} = provinces.province_alias

)

select * from final
