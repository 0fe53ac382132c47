-- One row per quality check run (quality.check_results counted per run), China time: checks, blocking failures and
-- warnings (orchestration/reports/page_aggregates.py).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    run_id,
    checked_at,
    checks,
    failed,
    warned,
    is_placeholder
from main.quality_run_history
order by checked_at, run_id
