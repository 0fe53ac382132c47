{#-
    How good the demand forecasts are: the rolling-origin backtest of the forecast asset (orchestration/forecast),
    one row per SKU class, origin and method, with the two baselines beside the candidates and the method chosen
    per SKU (`chosen`, chosen on the other origins, so never scored on the data that chose it).

    wape   Σ |forecast − demand| ÷ Σ demand over the class's SKUs and the horizon's days (weighted absolute
           percentage error; lower is better)
    mase   the mean over the class's SKUs of (mean absolute daily error ÷ the mean absolute error of the weekly
           seasonal naive forecast in the SKU's training days); below 1 beats last week's sales in-sample
    Baselines: seasonal_naive (last week again) and mean_28d (the 28-day mean the old replenishment used).
    sku_class `all` is every SKU scored at the origin.
-#}

with

errors as (

    select * from {{ ref('stg_forecast__backtest_errors') }}

),

classified as (

    select
        sku_class,
        origin_date,
        big_promotion,
        method,
        sku_id,
        horizon_days,
        actual_units,
        forecast_units,
        abs_error,
        mase_scale
    from errors
    {{ union_all_by_name() }}
    select
        'all' as sku_class,
        origin_date,
        big_promotion,
        method,
        sku_id,
        horizon_days,
        actual_units,
        forecast_units,
        abs_error,
        mase_scale
    from errors

),

by_class as (

    select
        sku_class,
        origin_date,
        max(big_promotion) as big_promotion,
        method,
        count(*) as sku_count,
        max(horizon_days) as horizon_days,
        sum(actual_units) as actual_units,
        sum(forecast_units) as forecast_units,
        sum(abs_error) as abs_error,
        avg(case when mase_scale > 0 then abs_error / horizon_days / mase_scale end) as mase
    from classified
    group by sku_class, origin_date, method

),

final as (

    select
        sku_class || '|' || cast(origin_date as {{ dbt.type_string() }}) || '|' || method as forecast_backtest_id,
        sku_class,
        origin_date,
        big_promotion,
        big_promotion is not null as is_before_big_promotion,
        method,
        method in ('seasonal_naive', 'mean_28d') as is_baseline,
        sku_count,
        cast(horizon_days as integer) as horizon_days,
        cast(actual_units as decimal(18, 2)) as actual_units,
        cast(forecast_units as decimal(18, 2)) as forecast_units,
        cast(abs_error as decimal(18, 2)) as abs_error,
        cast(abs_error / nullif(actual_units, 0) as decimal(18, 4)) as wape,
        cast(mase as decimal(18, 4)) as mase
    from by_class

)

select * from final
