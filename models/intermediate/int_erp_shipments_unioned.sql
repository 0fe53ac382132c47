{{
    config(
        materialized=incremental_materialization('delete+insert'),
        incremental_strategy='delete+insert',
        unique_key='outbound_id',
        on_schema_change='fail',
    )
}}
{#-
    The lines of every ERP sales outbound (销售出库), as one set per outbound from one channel: the ERP outbound
    exports (stg_erp__shipments) or the 聚水潭 open API (stg_erp__api_shipments). Lines never mix channels. The
    channel whose outbound is further along wins: the later 出库时间 (`shipped_at`, the only ERP time both channels
    carry; a version not yet shipped has none and loses), then the later load, then the file version.
    source_channel says which channel delivered the line set ('file' or 'api'). A table: fct_shipments and
    dim_warehouses read it. Incremental (macros/incremental.sql): a run recomputes the outbounds with lines changed
    in either channel in the window, and replaces each outbound's lines (delete+insert on outbound_id).
-#}

{%- set outbound_inputs = [
    [ref('stg_erp__shipments'), 'outbound_id'],
    [ref('stg_erp__api_shipments'), 'outbound_id'],
] %}

with

lines as (

    select
        *,
        'file' as source_channel
    from {{ ref('stg_erp__shipments') }}
    {{- only_keys_loaded_since('outbound_id', outbound_inputs) }}

    {{ union_all_by_name() }}

    select
        *,
        'api' as source_channel
    from {{ ref('stg_erp__api_shipments') }}
    {{- only_keys_loaded_since('outbound_id', outbound_inputs) }}

),

channel_versions as (

    select
        outbound_id,
        source_channel,
        max(shipped_at) as shipped_at,
        max(_loaded_at) as _loaded_at,
        max(_batch_id) as _batch_id
    from lines
    group by outbound_id, source_channel

),

chosen_channel as (

    select
        outbound_id,
        source_channel,
        row_number() over (
            partition by outbound_id
            order by shipped_at desc nulls last, _loaded_at desc, _batch_id desc, source_channel desc
        ) as channel_rank
    from channel_versions

),

final as (

    select lines.*
    from lines
    inner join chosen_channel
        on lines.outbound_id = chosen_channel.outbound_id
            and lines.source_channel = chosen_channel.source_channel
            and chosen_channel.channel_rank = 1

)

select * from final
