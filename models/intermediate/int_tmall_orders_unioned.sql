{{
    config(
        materialized='table',
    )
}}
{#-
    One row per Tmall order, whichever channel delivered it: the seller-center exports (stg_tmall__orders: the
    classic order report and the sub-order export) or the Taobao Open Platform API (stg_top__trades, with the
    successful refunds of stg_top__refunds). An order delivered by several channels keeps the version furthest
    along its life (lifecycle_stage of its canonical status), then the larger refund, then the latest event time,
    then the latest load: the same rule staging applies between exports, so the load order does not matter.
    source_export says which channel's version was kept (order_report, sub_order_export or top_api).
    A table: every order model downstream reads it.
-#}

with

export_orders as (

    select * from {{ ref('stg_tmall__orders') }}

),

api_trades as (

    select * from {{ ref('stg_top__trades') }}

),

api_refunds as (

    select
        order_id,
        sum(refund_amount) as refund_amount
    from {{ ref('stg_top__refunds') }}
    where is_refund_successful
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
        api_trades.* exclude (modified_at, end_at, trade_type, discount_fee, adjust_fee, buyer_open_uid_hash),
        api_refunds.refund_amount,
        'top_api' as source_export
    from api_trades
    left join api_refunds
        on api_trades.order_id = api_refunds.order_id

),

unioned as (

    select * from export_orders
    union all by name
    select * from api_orders

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

    select * exclude (channel_rank)
    from ranked
    where channel_rank = 1

)

select * from final
