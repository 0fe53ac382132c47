{{
    config(
        materialized=incremental_materialization('delete+insert'),
        incremental_strategy='delete+insert',
        unique_key='order_id',
        on_schema_change='fail',
    )
}}
{#-
    The lines of every Tmall order, as one set per order from one channel: the seller-center exports
    (stg_tmall__order_items: item report or sub-order export) or the TOP API (stg_top__trade_orders). An order takes
    its lines from the channel whose order version int_tmall_orders_unioned kept; when that channel delivered no
    lines (an order report without its item report), from the other. Lines of orders without an order row (an item
    report without its order report) come from the exports first. Incremental (macros/incremental.sql): a run
    recomputes the line sets of the orders whose order version or lines changed in the window, and replaces each
    order's lines (delete+insert on order_id).
-#}

{%- set order_inputs = [
    [ref('int_tmall_orders_unioned'), 'order_id'],
    [ref('stg_tmall__order_items'), 'order_id'],
    [ref('stg_top__trade_orders'), 'order_id'],
] %}

with

orders as (

    select * from {{ ref('int_tmall_orders_unioned') }}
    {{- only_keys_loaded_since('order_id', order_inputs) }}

),

export_lines as (

    select
        *,
        'export' as line_channel
    from {{ ref('stg_tmall__order_items') }}
    {{- only_keys_loaded_since('order_id', order_inputs) }}

),

api_lines as (

    select
        {{ star_except([
            'platform_sku_id', 'line_total_fee', 'line_payment', 'line_discount_fee', 'line_adjust_fee', 'line_revenue',
            'refund_status', 'refund_id'
        ]) }},
        'top_api' as source_export,
        'api' as line_channel
    from {{ ref('stg_top__trade_orders') }}
    {{- only_keys_loaded_since('order_id', order_inputs) }}

),

lines as (

    select * from export_lines
    {{ union_all_by_name() }}
    -- the API branch lists the first branch's columns in its order: Spark's union is positional (see union_all_by_name)
    select
        order_line_id,
        order_id,
        line_number,
        sub_order_id,
        item_id,
        item_title,
        sku_properties,
        merchant_sku_code,
        external_system_id,
        bundle_info,
        unit_price,
        quantity,
        line_status,
        line_status_text,
        cast(null as decimal(18, 2)) as line_payable_amount,
        cast(null as {{ dbt.type_string() }}) as line_refund_status,
        cast(null as {{ dbt.type_string() }}) as line_refund_status_text,
        cast(null as decimal(18, 2)) as line_refund_amount,
        source_export,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id,
        line_channel
    from api_lines

),

channels as (

    select distinct
        order_id,
        line_channel
    from lines

),

chosen_channel as (

    select
        channels.order_id,
        channels.line_channel,
        row_number() over (
            partition by channels.order_id
            order by
                channels.line_channel = case when orders.source_export = 'top_api' then 'api' else 'export' end
                desc,
                channels.line_channel = 'export' desc
        ) as channel_rank
    from channels
    left join orders
        on channels.order_id = orders.order_id

),

final as (

    select {{ star_except(['line_channel'], 'lines') }}
    from lines
    inner join chosen_channel
        on lines.order_id = chosen_channel.order_id
            and lines.line_channel = chosen_channel.line_channel
            and chosen_channel.channel_rank = 1

)

select * from final
