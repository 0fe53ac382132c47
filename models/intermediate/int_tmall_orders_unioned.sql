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
    One row per Tmall order, whichever channel delivered it: the seller-center exports (stg_tmall__orders: the
    classic order report and the sub-order export) or the Taobao Open Platform API (stg_top__trades, with the
    successful refunds of stg_top__refunds). An order delivered by several channels keeps the version furthest
    along its life (lifecycle_stage of its canonical status), then the larger refund, then the latest event time,
    then the latest load: the same rule staging applies between exports, so the load order does not matter.
    source_export says which channel's version was kept (order_report, sub_order_export or top_api).
    A table: every order model downstream reads it. Incremental (macros/incremental.sql): a run recomputes the
    orders whose version in either channel, or whose TOP refunds, changed in the window.
-#}

{%- set order_inputs = [
    [ref('stg_tmall__orders'), 'order_id'],
    [ref('stg_top__trades'), 'order_id'],
    [ref('stg_top__refunds'), 'order_id'],
] %}

with

export_orders as (

    select * from {{ ref('stg_tmall__orders') }}
    {{- only_keys_loaded_since('order_id', order_inputs) }}

),

api_trades as (

    select * from {{ ref('stg_top__trades') }}
    {{- only_keys_loaded_since('order_id', order_inputs) }}

),

api_refunds as (

    select
        order_id,
        sum(refund_amount) as refund_amount
    from {{ ref('stg_top__refunds') }}
    where is_refund_successful
    {% if is_incremental() -%}
        and order_id in ({{ keys_loaded_since(order_inputs) }})
    {%- endif %}
    group by order_id

),

stages as (

    select
        order_status,
        max(lifecycle_stage) as lifecycle_stage
    from {{ ref('tmall_order_status_map') }}
    group by order_status

),

api_orders as (

    select
        {{ star_except(
            [
                'modified_at', 'end_at', 'trade_type', 'discount_fee', 'adjust_fee', 'buyer_open_uid_hash',
                'customer_key_source'
            ],
            'api_trades'
        ) }},
        api_refunds.refund_amount,
        'top_api' as source_export
    from api_trades
    left join api_refunds
        on api_trades.order_id = api_refunds.order_id

),

unioned as (

    select * from export_orders
    {{ union_all_by_name() }}
    -- the API branch lists the first branch's columns in its order: Spark's union is positional (see union_all_by_name)
    select
        order_id,
        customer_key,
        shop_id,
        shop_name,
        order_status,
        order_status_name,
        order_status_text,
        is_status_paid,
        is_status_closed,
        close_reason,
        goods_amount,
        post_fee,
        total_amount,
        reported_paid_amount,
        refund_amount,
        created_at,
        paid_at,
        shipped_at,
        confirmed_at,
        receiver_province,
        receiver_city,
        item_titles,
        item_kinds,
        item_quantity,
        shipping_method,
        waybill_no,
        logistics_company,
        is_mobile_order,
        payment_no,
        source_export,
        buyer_alipay_account_hash,
        receiver_name_hash,
        receiver_address_hash,
        receiver_phone_hash,
        receiver_mobile_hash,
        buyer_message_hash,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from api_orders

),

ranked as (

    select
        unioned.*,
        row_number() over (
            partition by unioned.order_id
            order by
                stages.lifecycle_stage desc nulls last,
                coalesce(unioned.refund_amount, 0) desc,
                greatest(unioned.created_at, unioned.paid_at, unioned.shipped_at, unioned.confirmed_at)
                desc nulls last,
                unioned._loaded_at desc,
                unioned._batch_id desc
        ) as channel_rank
    from unioned
    left join stages
        on unioned.order_status = stages.order_status

),

final as (

    select {{ star_except(['channel_rank']) }}
    from ranked
    where channel_rank = 1

)

select * from final
