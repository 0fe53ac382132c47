-- One row per period (昨日, 近7天, 近30天) and metric: the value, the previous period of equal length and
-- the same days a year earlier (null when the data does not cover them).
select
    period_key,
    period_label,
    period_order,
    start_date,
    end_date,
    previous_start_date,
    previous_end_date,
    last_year_start_date,
    last_year_end_date,
    metric_name,
    metric_label,
    metric_order,
    value,
    previous_value,
    last_year_value
from main.kpi_period_comparisons
