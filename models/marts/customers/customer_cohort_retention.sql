{#-
    Cohorts by first-purchase month: one row per cohort month and month since the first purchase (0, 1, 2, …
    up to the last month with payments in the data), with the cohort's size, the customers who paid again in that
    month and the retention rate. Months since = calendar months between the first payment's month and the
    payment's month (2025-01-31 → 2025-02-01 is month 1). Month 0 counts every cohort member (retention 1).
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_paid and customer_key is not null

),

customer_months as (

    select distinct
        customer_key,
        cast(date_trunc('month', paid_date) as date) as activity_month
    from orders

),

first_months as (

    select
        customer_key,
        min(activity_month) as cohort_month
    from customer_months
    group by customer_key

),

activity as (

    select
        first_months.cohort_month,
        {{ date_difference('month', 'first_months.cohort_month', 'customer_months.activity_month') }}
            as months_since_first_order,
        count(distinct customer_months.customer_key) as active_customers
    from customer_months
    inner join first_months
        on customer_months.customer_key = first_months.customer_key
    group by first_months.cohort_month, months_since_first_order

),

cohorts as (

    select
        cohort_month,
        count(*) as cohort_size
    from first_months
    group by cohort_month

),

last_month as (

    select max(activity_month) as last_activity_month from customer_months

),

grid as (

    select
        cohorts.cohort_month,
        cohorts.cohort_size,
        {{ series_to_rows(
            '0', date_difference('month', 'cohorts.cohort_month', 'last_month.last_activity_month') ~ ' + 1', 'integer'
        ) }} as months_since_first_order
    from cohorts
    cross join last_month

),

final as (

    select
        {{ year_month_text('grid.cohort_month') }} || '+'
        || cast(grid.months_since_first_order as {{ dbt.type_string() }})
            as cohort_retention_id,
        grid.cohort_month,
        grid.months_since_first_order,
        cast({{ add_months('grid.cohort_month', 'grid.months_since_first_order') }} as date) as activity_month,
        grid.cohort_size,
        coalesce(activity.active_customers, 0) as active_customers,
        cast(coalesce(activity.active_customers, 0) / grid.cohort_size as decimal(9, 4)) as retention_rate
    from grid
    left join activity
        on grid.cohort_month = activity.cohort_month
            and grid.months_since_first_order = activity.months_since_first_order

)

select * from final
