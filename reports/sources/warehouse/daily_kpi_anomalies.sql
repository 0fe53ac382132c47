-- Flagged daily KPI anomalies (marts.daily_kpi_anomalies, is_anomaly only).
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
    is_anomaly
from main.daily_kpi_anomalies
