{#-
    One row per calendar day of the MetricFlow time spine (China local dates), with calendar attributes and the
    promotion calendar (seeds/promotion_calendar.csv): the sales festival and the holiday a day falls in, if any.
    promotion_phase: a festival day's phase, presale (before main_start_date), opening (its first 3 days, 开门红),
    main, or peak (peak_date); null outside festivals.
-#}

with

days as (

    select date_day from {{ ref('time_spine_daily') }}

),

promotions as (

    select * from {{ ref('promotion_calendar') }}

),

festival_days as (

    select
        days.date_day,
        promotions.promotion_key,
        promotions.promotion_name,
        days.date_day = promotions.peak_date as is_peak_day,
        case
            when days.date_day = promotions.peak_date then 'peak'
            when days.date_day < promotions.main_start_date then 'presale'
            when days.date_day < {{ dbt.dateadd('day', 3, 'promotions.main_start_date') }} then 'opening'
            else 'main'
        end as promotion_phase
    from days
    inner join promotions
        on days.date_day between promotions.start_date and promotions.end_date
    where promotions.promotion_type = 'sales_festival'

),

holiday_days as (

    select
        days.date_day,
        promotions.promotion_key as holiday_key,
        promotions.promotion_name as holiday_name
    from days
    inner join promotions
        on days.date_day between promotions.start_date and promotions.end_date
    where promotions.promotion_type = 'holiday'

),

final as (

    select
        days.date_day,
        cast(extract(year from days.date_day) as integer) as year_number,
        cast(extract(quarter from days.date_day) as integer) as quarter_number,
        cast(extract(month from days.date_day) as integer) as month_number,
        cast(date_trunc('month', days.date_day) as date) as month_start_date,
        cast(date_trunc('week', days.date_day) as date) as week_start_date,
        cast({{ iso_day_of_week('days.date_day') }} as integer) as iso_day_of_week,
        case cast({{ iso_day_of_week('days.date_day') }} as integer)
            when 1 then '周一' when 2 then '周二' when 3 then '周三' when 4 then '周四'
            when 5 then '周五' when 6 then '周六' else '周日'
        end as weekday_name,
        cast({{ iso_day_of_week('days.date_day') }} as integer) in (6, 7) as is_weekend,
        festival_days.promotion_key,
        festival_days.promotion_name,
        festival_days.promotion_key is not null as is_promotion_day,
        coalesce(festival_days.is_peak_day, false) as is_promotion_peak_day,
        festival_days.promotion_phase,
        holiday_days.holiday_key,
        holiday_days.holiday_name,
        holiday_days.holiday_key is not null as is_holiday
    from days
    left join festival_days
        on days.date_day = festival_days.date_day
    left join holiday_days
        on days.date_day = holiday_days.date_day

)

select * from final
