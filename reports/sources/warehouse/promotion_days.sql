-- Days in a sales festival or holiday window (marts.dim_dates, the promotion calendar).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    date_day,
    week_start_date,
    month_start_date,
    promotion_key,
    promotion_name,
    is_promotion_day,
    is_promotion_peak_day,
    holiday_name,
    is_holiday,
    is_placeholder
from main.promotion_days
order by date_day
