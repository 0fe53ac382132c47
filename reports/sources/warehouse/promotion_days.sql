-- Days in a sales festival or holiday window (marts.dim_dates, the promotion calendar).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
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
    date '1970-01-01' as date_day,
    date '1970-01-01' as week_start_date,
    date '1970-01-01' as month_start_date,
    '' as promotion_key,
    '' as promotion_name,
    false as is_promotion_day,
    false as is_promotion_peak_day,
    '' as holiday_name,
    false as is_holiday,
    true as is_placeholder
where not exists (select 1 from main.promotion_days)
