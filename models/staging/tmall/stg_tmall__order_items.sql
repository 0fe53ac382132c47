{#-
    Tmall order lines, one row per line of an order, from whichever export delivered the order last: the classic
    item report (宝贝报表: lines numbered by their position among the order's rows in the file) or the sub-order
    export (子订单: one line per 子订单编号, numbered by position in the file). An order's lines are taken as a set
    from its latest delivery, so an order delivered by both exports is never counted twice.
-#}

{#-
    Incremental (macros/incremental.sql): a run recomputes the line sets of the orders with a row of either export
    loaded in the window and replaces each order's lines (delete+insert on order_id: a later delivery may carry
    fewer lines). A table, so that its data tests and the models downstream read it once.
-#}
{{
    config(
        materialized=incremental_materialization('delete+insert'),
        incremental_strategy='delete+insert',
        unique_key='order_id',
        on_schema_change='fail',
    )
}}

{%- set order_inputs = [
    [source('tmall', 'tmall_order_items'), clean_text('order_id')],
    [source('tmall', 'tmall_sub_orders'), clean_text('order_id')],
] %}

with

item_report as (

    select * from {{ source('tmall', 'tmall_order_items') }}
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

item_report_lines as (

    select
        {{ clean_text('order_id') }} as order_id,
        {{ to_quantity('line_number') }} as line_number,
        cast(null as {{ dbt.type_string() }}) as sub_order_id,
        cast(null as {{ dbt.type_string() }}) as item_id,
        item_title,
        sku_properties,
        merchant_sku_code,
        external_system_id,
        bundle_info,
        unit_price,
        quantity,
        order_status,
        cast(null as {{ dbt.type_string() }}) as goods_amount,
        cast(null as {{ dbt.type_string() }}) as refund_status,
        cast(null as {{ dbt.type_string() }}) as refund_amount,
        'item_report' as source_export,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from item_report

),

sub_order_rows as (

    select
        *,
        {{ clean_text('order_id') }} as cleaned_order_id,
        {{ clean_text('sub_order_id') }} as cleaned_sub_order_id,
        -- the latest row of a sub-order within one delivered file
        row_number() over (
            partition by {{ clean_text('sub_order_id') }}, _batch_id
            order by cast(_source_row_number as bigint) desc
        ) as row_in_file_rank
    from sub_order_export

),

sub_order_lines as (

    select
        cleaned_order_id as order_id,
        cast(row_number() over (
            partition by cleaned_order_id, _batch_id
            order by cast(_source_row_number as bigint)
        ) as integer) as line_number,
        cleaned_sub_order_id as sub_order_id,
        {{ clean_text('item_id') }} as item_id,
        item_title,
        sku_properties,
        merchant_sku_code,
        external_system_id,
        bundle_info,
        unit_price,
        quantity,
        order_status,
        goods_amount,
        refund_status,
        refund_amount,
        'sub_order_export' as source_export,
        _source_file,
        _source_row_number,
        _loaded_at,
        _batch_id
    from sub_order_rows
    where row_in_file_rank = 1

),

delivered as (

    select * from item_report_lines
    union all
    select * from sub_order_lines

),

-- how far along its life the order is in each delivery (the furthest status of its lines there)
delivery_stages as (

    select
        delivered.order_id,
        delivered._batch_id as delivery_batch_id,
        max(delivery_status.lifecycle_stage) as lifecycle_stage
    from delivered
    left join status_map as delivery_status
        on replace({{ clean_text('delivered.order_status') }}, ',', '，') = delivery_status.export_status
    group by delivered.order_id, delivered._batch_id

),

delivered_stages as (

    select
        delivered.*,
        delivery_stages.lifecycle_stage as delivery_lifecycle_stage
    from delivered
    left join delivery_stages
        on delivered.order_id = delivery_stages.order_id
            and delivered._batch_id = delivery_stages.delivery_batch_id

),

-- the order's lines are taken as a set from the delivery that shows the order furthest along its life, the latest
-- such delivery when several do (so the load order of the same exports does not matter) ...
latest_delivery as (

    {{ latest_delivery('delivered_stages', key='order_id', prefer='delivery_lifecycle_stage desc nulls last') }}

),

-- ... and within it, one row per line number
latest_version as (

    {{ latest_version('latest_delivery', key=['order_id', 'line_number']) }}

),

cleaned as (

    select
        order_id,
        line_number,
        sub_order_id,
        item_id,
        {{ clean_text('item_title') }} as item_title,
        case
            when {{ clean_text('sku_properties') }} in ('-', '无') then null
            else {{ clean_text('sku_properties') }}
        end as sku_properties,
        {{ clean_text('merchant_sku_code') }} as merchant_sku_code,
        {{ clean_text('external_system_id') }} as external_system_id,
        {{ clean_text('bundle_info') }} as bundle_info,
        {{ to_money('unit_price') }} as unit_price,
        {{ to_quantity('quantity') }} as quantity,
        replace({{ clean_text('order_status') }}, ',', '，') as line_status_text,
        {{ to_money('goods_amount') }} as line_payable_amount,
        {{ clean_text('refund_status') }} as refund_status_text,
        {{ to_money('refund_amount') }} as line_refund_amount,
        source_export,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

),

final as (

    select
        cleaned.order_id || '-' || cast(cleaned.line_number as {{ dbt.type_string() }}) as order_line_id,
        cleaned.order_id,
        cleaned.line_number,
        cleaned.sub_order_id,
        cleaned.item_id,
        cleaned.item_title,
        cleaned.sku_properties,
        cleaned.merchant_sku_code,
        cleaned.external_system_id,
        cleaned.bundle_info,
        cleaned.unit_price,
        cleaned.quantity,
        status_map.order_status as line_status,
        cleaned.line_status_text,
        cleaned.line_payable_amount,
        refund_status_map.refund_status as line_refund_status,
        cleaned.refund_status_text as line_refund_status_text,
        cleaned.line_refund_amount,
        cleaned.source_export,

        cleaned._source_file,
        cleaned._source_row_number,
        cleaned._loaded_at,
        cleaned._batch_id

    from cleaned
    left join status_map
        on cleaned.line_status_text = status_map.export_status
    left join refund_status_map
        on cleaned.refund_status_text = refund_status_map.export_status

)

select * from final
