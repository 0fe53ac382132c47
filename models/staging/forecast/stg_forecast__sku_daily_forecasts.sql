{#-
    The forecast asset's daily forecasts (source forecast.sku_daily_forecasts): one row per SKU and future day,
    units as decimal(18, 2).
-#}

with

source as (

    select * from {{ source('forecast', 'sku_daily_forecasts') }}

),

final as (

    select
        sku_id || '|' || cast(forecast_date as {{ dbt.type_string() }}) as sku_forecast_day_id,
        sku_id,
        cast(forecast_date as date) as forecast_date,
        method,
        cast(forecast_units as decimal(18, 2)) as forecast_units,
        cast(lower_80 as decimal(18, 2)) as lower_80_units,
        cast(upper_80 as decimal(18, 2)) as upper_80_units,
        cast(lower_95 as decimal(18, 2)) as lower_95_units,
        cast(upper_95 as decimal(18, 2)) as upper_95_units,
        cast(promotion_uplift as decimal(18, 4)) as promotion_uplift,
        cast(forecast_origin_date as date) as forecast_origin_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

)

select * from final
