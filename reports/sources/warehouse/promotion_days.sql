-- Days in a sales festival or holiday window (marts.dim_dates, the promotion calendar).
select
    date_day,
    week_start_date,
    month_start_date,
    promotion_key,
    promotion_name,
    is_promotion_day,
    is_promotion_peak_day,
    holiday_name,
    is_holiday
from main.promotion_days
