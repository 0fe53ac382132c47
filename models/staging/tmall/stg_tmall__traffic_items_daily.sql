{{
    config(
        materialized='table',
    )
}}
{#-
    生意参谋 item-level traffic (商品效果), one row per shop, item (商品ID) and day: the latest delivered version.
    Same parsing rules as stg_tmall__traffic_daily.
    A table, not a view: its 6 data tests would each recompute a view over every delivered row.
-#}

with

source as (

    select * from {{ source('tmall', 'tmall_traffic_items') }}

),

typed as (

    select
        *,
        {{ to_china_date('traffic_date') }} as cleaned_traffic_date,
        {{ clean_text('shop_name') }} as cleaned_shop_name,
        {{ clean_text('item_id') }} as cleaned_item_id
    from source

),

latest_version as (

    {{ latest_version('typed', key=['cleaned_shop_name', 'cleaned_item_id', 'cleaned_traffic_date']) }}

),

final as (

    select
        {{ surrogate_key(['cleaned_shop_name', 'cleaned_item_id', 'cleaned_traffic_date']) }}
            as item_traffic_day_id,
        cleaned_traffic_date as traffic_date,
        cleaned_shop_name as shop_name,
        cleaned_item_id as item_id,
        {{ clean_text('item_title') }} as item_title,
        {{ to_count('visitors') }} as visitors,
        {{ to_count('page_views') }} as page_views,
        {{ to_count('add_to_cart_buyers') }} as add_to_cart_buyers,
        {{ to_count('favourite_buyers') }} as favourite_buyers,
        {{ to_count('paying_buyers') }} as paying_buyers,
        {{ to_rate('payment_conversion_rate') }} as payment_conversion_rate,
        {{ to_money("nullif(" ~ clean_text('average_spend_per_buyer') ~ ", '-')") }} as average_spend_per_buyer,
        {{ to_money("nullif(" ~ clean_text('payment_amount') ~ ", '-')") }} as payment_amount,

        _source_file,
        cast(_source_row_number as bigint) as _source_row_number,
        cast(_loaded_at as timestamp) as _loaded_at,
        _batch_id

    from latest_version

)

select * from final
