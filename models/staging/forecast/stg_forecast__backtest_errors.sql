{#-
    The forecast asset's backtest (source forecast.backtest_errors): one row per SKU, origin and method with the
    horizon's totals, from which forecast_backtest computes WAPE and MASE per SKU class.
-#}

with

source as (

    select * from {{ source('forecast', 'backtest_errors') }}

),

final as (

    select
        sku_id || '|' || cast(origin_date as {{ dbt.type_string() }}) || '|' || method as backtest_error_id,
        sku_id,
        sku_class,
        cast(origin_date as date) as origin_date,
        big_promotion,
        method,
        cast(horizon_days as integer) as horizon_days,
        cast(actual_units as double) as actual_units,
        cast(forecast_units as double) as forecast_units,
        cast(abs_error as double) as abs_error,
        cast(squared_error as double) as squared_error,
        cast(mase_scale as double) as mase_scale,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

)

select * from final
