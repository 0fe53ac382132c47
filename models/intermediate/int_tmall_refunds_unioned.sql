{#-
    One row per Tmall refund, whichever channel delivered it: the seller center's refund export (stg_tmall__refunds)
    or the Taobao Open Platform API (stg_top__refunds). The API has no completion time: a refund it shows finished
    (SUCCESS or CLOSED) is taken as finished at its `modified` time, and `created` is its application time. A refund
    delivered by both keeps the finished version, then the one with the later event time, then the latest load.
    source_export says which channel's version was kept (refund_export or top_api).
-#}

with

export_refunds as (

    select
        refund_id,
        order_id,
        sub_order_id,
        customer_key,
        refund_status,
        is_refund_successful,
        has_good_return,
        refund_reason,
        refund_phase,
        refund_amount,
        merchant_sku_code,
        order_paid_at,
        applied_at,
        finished_at,
        'refund_export' as source_export,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from {{ ref('stg_tmall__refunds') }}

),

api_refunds as (

    select
        refund_id,
        order_id,
        sub_order_id,
        customer_key,
        refund_status,
        is_refund_successful,
        has_good_return,
        refund_reason,
        refund_phase,
        refund_amount,
        merchant_sku_code,
        cast(null as timestamp) as order_paid_at,
        created_at as applied_at,
        case when refund_status in ('SUCCESS', 'CLOSED') then modified_at end as finished_at,
        'top_api' as source_export,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from {{ ref('stg_top__refunds') }}

),

unioned as (

    select * from export_refunds
    union all
    select * from api_refunds

),

ranked as (

    select
        *,
        row_number() over (
            partition by refund_id
            order by
                case when finished_at is not null then 1 else 0 end desc,
                coalesce(finished_at, applied_at) desc nulls last,
                _loaded_at desc,
                _batch_id desc
        ) as channel_rank
    from unioned

),

final as (

    select {{ star_except(['channel_rank']) }}
    from ranked
    where channel_rank = 1

)

select * from final
