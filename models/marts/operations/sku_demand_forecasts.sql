{#-
    Daily demand forecast per ERP SKU for the next 8 weeks (the forecast asset, orchestration/forecast): the units
    expected each day with the promotion uplift of the day, the 80% and 95% prediction intervals (from the chosen
    method's daily error in the backtest), the SKU's demand class and the method its backtest chose.
-#}

with

forecasts as (

    select * from {{ ref('stg_forecast__sku_daily_forecasts') }}

),

methods as (

    select * from {{ ref('stg_forecast__sku_forecast_methods') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

final as (

    select
        forecasts.sku_forecast_day_id,
        forecasts.sku_id,
        methods.category,
        forecasts.forecast_date,
        {{ date_difference('day', 'forecasts.forecast_origin_date', 'forecasts.forecast_date') }} as days_ahead,
        forecasts.forecast_units,
        forecasts.lower_80_units,
        forecasts.upper_80_units,
        forecasts.lower_95_units,
        forecasts.upper_95_units,
        forecasts.promotion_uplift,
        coalesce(dates.is_promotion_day, false) as is_promotion_day,
        dates.promotion_name,
        dates.promotion_phase,
        methods.sku_class,
        forecasts.method as forecast_method,
        methods.daily_error_sd,
        forecasts.forecast_origin_date
    from forecasts
    left join methods
        on forecasts.sku_id = methods.sku_id
    left join dates
        on forecasts.forecast_date = dates.date_day

)

select * from final
