-- Every recorded quality check result (quality.check_results without example rows), China time.
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
    is_placeholder
from main.quality_check_results
order by checked_at, check_name, expectation
