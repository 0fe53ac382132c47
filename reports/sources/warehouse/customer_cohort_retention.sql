-- Cohort retention by months since the first purchase (marts.customer_cohort_retention).
select
    cohort_retention_id,
    cohort_month,
    months_since_first_order,
    activity_month,
    cohort_size,
    active_customers,
    retention_rate
from main.customer_cohort_retention
