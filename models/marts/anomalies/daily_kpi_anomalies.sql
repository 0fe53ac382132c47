{#-
    Daily KPIs (paid_orders, paid_gmv, net_sales by payment date, the metric rules of fct_orders) compared with a
    robust baseline: the median of the same weekday over the previous 8 weeks, using only ordinary days (no
    sales festival, no holiday: dim_dates), and the median absolute deviation (MAD) of those days.

    robust_z = (value − baseline) / (1.4826 × MAD); an anomaly is |robust_z| ≥ 3.5 and a deviation of at least
    20 % from the baseline. Promotion-aware: a rise on a sales-festival or holiday day is expected and not flagged
    (is_expected_promotion_effect); a drop on such a day is. Days with fewer than 4 baseline days are not judged.
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_paid

),

dates as (

    select * from {{ ref('dim_dates') }}

),

bounds as (

    select min(paid_date) as first_date, max(paid_date) as last_date from orders

),

daily as (

    select
        dates.date_day,
        dates.iso_day_of_week,
        dates.is_promotion_day or dates.is_holiday as is_special_day,
        count(orders.order_id) as paid_orders,
        cast(coalesce(sum(orders.paid_amount), 0) as decimal(18, 2)) as paid_gmv,
        cast(coalesce(sum(orders.net_amount), 0) as decimal(18, 2)) as net_sales
    from dates
    cross join bounds
    left join orders
        on dates.date_day = orders.paid_date
    where dates.date_day between bounds.first_date and bounds.last_date
    group by 1, 2, 3

),

kpis as (

    select
        date_day, iso_day_of_week, is_special_day, 'paid_orders' as kpi_name, cast(paid_orders as double) as kpi_value
    from daily
    union all
    select date_day, iso_day_of_week, is_special_day, 'paid_gmv' as kpi_name, cast(paid_gmv as double) as kpi_value
    from daily
    union all
    select date_day, iso_day_of_week, is_special_day, 'net_sales' as kpi_name, cast(net_sales as double) as kpi_value
    from daily

),

history as (

    select
        kpis.date_day,
        kpis.kpi_name,
        previous.kpi_value as previous_value
    from kpis
    inner join kpis as previous
        on kpis.kpi_name = previous.kpi_name
            and previous.date_day in (
                {%- for weeks in range(1, 9) %}
                    kpis.date_day - interval {{ weeks * 7 }} day{% if not loop.last %},{% endif %}
                {%- endfor %}
            )
    where not previous.is_special_day

),

baselines as (

    select
        date_day,
        kpi_name,
        median(previous_value) as baseline_value,
        count(*) as baseline_days
    from history
    group by 1, 2

),

deviations as (

    select
        history.date_day,
        history.kpi_name,
        median(abs(history.previous_value - baselines.baseline_value)) as median_absolute_deviation
    from history
    inner join baselines
        on history.date_day = baselines.date_day
            and history.kpi_name = baselines.kpi_name
    group by 1, 2

),

scored as (

    select
        kpis.date_day,
        kpis.kpi_name,
        kpis.kpi_value,
        kpis.is_special_day,
        baselines.baseline_value,
        coalesce(baselines.baseline_days, 0) as baseline_days,
        deviations.median_absolute_deviation,
        (kpis.kpi_value - baselines.baseline_value)
        / nullif(1.4826 * deviations.median_absolute_deviation, 0) as robust_z,
        (kpis.kpi_value - baselines.baseline_value) / nullif(baselines.baseline_value, 0) as relative_deviation
    from kpis
    left join baselines
        on kpis.date_day = baselines.date_day
            and kpis.kpi_name = baselines.kpi_name
    left join deviations
        on kpis.date_day = deviations.date_day
            and kpis.kpi_name = deviations.kpi_name

),

final as (

    select
        cast(date_day as {{ dbt.type_string() }}) || ':' || kpi_name as kpi_anomaly_id,
        date_day as metric_date,
        kpi_name,
        kpi_value,
        baseline_value,
        baseline_days,
        median_absolute_deviation,
        round(robust_z, 2) as robust_z,
        round(relative_deviation, 4) as relative_deviation,
        case when kpi_value > baseline_value then 'up' when kpi_value < baseline_value then 'down' end
            as direction,
        is_special_day as is_promotion_or_holiday,
        coalesce(is_special_day and kpi_value > baseline_value, false) as is_expected_promotion_effect,
        coalesce(
            baseline_days >= 4
            and abs(robust_z) >= 3.5
            and abs(relative_deviation) >= 0.2
            and not (is_special_day and kpi_value > baseline_value),
            false
        ) as is_anomaly
    from scored

)

select * from final
