-- Days in a sales festival or holiday window (marts.dim_dates, the promotion calendar).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    false as is_placeholder
from main.promotion_days
union all
select
    null as date_day,
    null as week_start_date,
    null as month_start_date,
    null as promotion_key,
    null as promotion_name,
    null as is_promotion_day,
    null as is_promotion_peak_day,
    null as holiday_name,
    null as is_holiday,
    true as is_placeholder
where not exists (select 1 from main.promotion_days)
