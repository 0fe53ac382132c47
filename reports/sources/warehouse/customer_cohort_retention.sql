-- Cohort retention by months since the first purchase (marts.customer_cohort_retention).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    cohort_retention_id,
    cohort_month,
    months_since_first_order,
    activity_month,
    cohort_size,
    active_customers,
    retention_rate,
    false as is_placeholder
from main.customer_cohort_retention
union all
select
    '' as cohort_retention_id,
    date '1970-01-01' as cohort_month,
    cast(0 as integer) as months_since_first_order,
    date '1970-01-01' as activity_month,
    cast(0 as bigint) as cohort_size,
    cast(0 as bigint) as active_customers,
    cast(0 as decimal(9,4)) as retention_rate,
    true as is_placeholder
where not exists (select 1 from main.customer_cohort_retention)
