-- The latest run's quality check results (quality.check_results without example rows), China time, each marked
-- blocking or not (orchestration/reports/page_aggregates.py).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    run_id,
    checked_at,
    check_name,
    asset_key,
    suite,
    expectation,
    column_name,
    severity,
    success,
    element_count,
    unexpected_count,
    is_blocking,
    is_placeholder
from main.quality_check_results
order by checked_at, check_name, expectation
