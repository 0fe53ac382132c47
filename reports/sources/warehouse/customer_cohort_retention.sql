-- Cohort retention by months since the first purchase (marts.customer_cohort_retention).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    null as cohort_retention_id,
    null as cohort_month,
    null as months_since_first_order,
    null as activity_month,
    null as cohort_size,
    null as active_customers,
    null as retention_rate,
    true as is_placeholder
where not exists (select 1 from main.customer_cohort_retention)
