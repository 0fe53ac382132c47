{{
    config(
        materialized='table',
    )
}}
{#-
    The ERP SKU master, one row per SKU, whichever channel delivered it: the SKU master exports (stg_erp__skus) or
    the 聚水潭 open API (stg_erp__api_skus). A SKU delivered by both keeps the version with the later ERP 修改时间
    (`modified_at`), then the later load, then the file version. source_channel says whose version was kept
    ('file' or 'api'). A table: product mapping, dim_products and fct_inventory_snapshots read it.
-#}

with

unioned as (

    select
        *,
        'file' as source_channel
    from {{ ref('stg_erp__skus') }}

    {{ union_all_by_name() }}

    select
        *,
        'api' as source_channel
    from {{ ref('stg_erp__api_skus') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by sku_id
            order by {{ latest_delivery_first(prefer='modified_at desc nulls last') }}, source_channel desc
        ) as channel_rank
    from unioned

),

final as (

    select {{ star_except(['channel_rank']) }}
    from ranked
    where channel_rank = 1

)

select * from final
