-- Cohort retention by months since the first purchase (marts.customer_cohort_retention).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    cohort_retention_id,
    cohort_month,
    months_since_first_order,
    activity_month,
    cohort_size,
    active_customers,
    retention_rate,
    is_placeholder
from main.customer_cohort_retention
order by cohort_month, months_since_first_order
