-- The demand forecasts' rolling-origin backtest: WAPE and MASE per SKU class, origin and method, the baselines
-- (seasonal_naive, mean_28d) beside the chosen forecasts (marts.forecast_backtest).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
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
    is_placeholder
from main.forecast_backtest
order by sku_class, origin_date, method
