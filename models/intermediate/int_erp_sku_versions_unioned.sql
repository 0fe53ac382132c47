{{
    config(
        materialized='table',
    )
}}
{#-
    Every version of every ERP SKU from either channel, one row per SKU and ERP 修改时间: the SKU master exports
    (stg_erp__sku_versions) and the 聚水潭 open API's SKU history (stg_erp__api_sku_versions). Both key a version by
    SKU and 修改时间 (sku_version_id), so the same version from both channels is one row: the later load wins, then
    the file version. The history behind dim_product_cost_history. source_channel says whose copy was kept.
-#}

with

unioned as (

    select
        *,
        'file' as source_channel
    from {{ ref('stg_erp__sku_versions') }}

    {{ union_all_by_name() }}

    select
        *,
        'api' as source_channel
    from {{ ref('stg_erp__api_sku_versions') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by sku_version_id
            order by {{ latest_delivery_first() }}, source_channel desc
        ) as channel_rank
    from unioned

),

final as (

    select {{ star_except(['channel_rank']) }}
    from ranked
    where channel_rank = 1

)

select * from final
