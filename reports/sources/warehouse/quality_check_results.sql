-- Every recorded quality check result (quality.check_results without example rows), China time.
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
    unexpected_count
from main.quality_check_results
