-- Flagged daily KPI anomalies (marts.daily_kpi_anomalies, is_anomaly only).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    null as kpi_anomaly_id,
    null as metric_date,
    null as kpi_name,
    null as kpi_value,
    null as baseline_value,
    null as relative_deviation,
    null as robust_z,
    null as direction,
    null as is_promotion_or_holiday,
    null as is_expected_promotion_effect,
    null as is_anomaly,
    true as is_placeholder
where not exists (select 1 from main.daily_kpi_anomalies)
