-- Flagged daily KPI anomalies (marts.daily_kpi_anomalies, is_anomaly only).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    kpi_anomaly_id,
    metric_date,
    kpi_name,
    kpi_value,
    baseline_value,
    relative_deviation,
    robust_z,
    direction,
    is_promotion_or_holiday,
    is_expected_promotion_effect,
    is_anomaly,
    false as is_placeholder
from main.daily_kpi_anomalies
union all
select
    '' as kpi_anomaly_id,
    date '1970-01-01' as metric_date,
    '' as kpi_name,
    cast(0 as double) as kpi_value,
    cast(0 as double) as baseline_value,
    cast(0 as double) as relative_deviation,
    cast(0 as double) as robust_z,
    '' as direction,
    false as is_promotion_or_holiday,
    false as is_expected_promotion_effect,
    false as is_anomaly,
    true as is_placeholder
where not exists (select 1 from main.daily_kpi_anomalies)
