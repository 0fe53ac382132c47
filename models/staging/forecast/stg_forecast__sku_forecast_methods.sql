{#-
    The forecast asset's method per SKU (source forecast.sku_forecast_methods): demand class, chosen method and its
    daily error in the backtest.
-#}

with

source as (

    select * from {{ source('forecast', 'sku_forecast_methods') }}

),

final as (

    select
        sku_id,
        category,
        sku_class,
        method,
        cast(history_days as bigint) as history_days,
        cast(daily_error_sd as decimal(18, 4)) as daily_error_sd,
        cast(backtest_abs_error as decimal(18, 2)) as backtest_abs_error,
        cast(backtest_actual_units as decimal(18, 2)) as backtest_actual_units,
        cast(forecast_origin_date as date) as forecast_origin_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

)

select * from final
