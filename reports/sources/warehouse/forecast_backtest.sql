-- The demand forecasts' rolling-origin backtest: WAPE and MASE per SKU class, origin and method, the baselines
-- (seasonal_naive, mean_28d) beside the chosen forecasts (marts.forecast_backtest). An empty table gives one
-- placeholder row (reports/README.md).
select
    forecast_backtest_id,
    sku_class,
    origin_date,
    big_promotion,
    is_before_big_promotion,
    method,
    is_baseline,
    sku_count,
    horizon_days,
    actual_units,
    forecast_units,
    abs_error,
    wape,
    mase,
    false as is_placeholder
from main.forecast_backtest
union all
select
    '' as forecast_backtest_id,
    '' as sku_class,
    date '1970-01-01' as origin_date,
    '' as big_promotion,
    false as is_before_big_promotion,
    '' as method,
    false as is_baseline,
    cast(0 as bigint) as sku_count,
    cast(0 as integer) as horizon_days,
    cast(0 as decimal(18,2)) as actual_units,
    cast(0 as decimal(18,2)) as forecast_units,
    cast(0 as decimal(18,2)) as abs_error,
    cast(0 as decimal(18,4)) as wape,
    cast(0 as decimal(18,4)) as mase,
    true as is_placeholder
where not exists (select 1 from main.forecast_backtest)
