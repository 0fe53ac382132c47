-- Flagged daily KPI anomalies (marts.daily_kpi_anomalies, is_anomaly only).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
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
    is_placeholder
from main.daily_kpi_anomalies
order by metric_date, kpi_name
