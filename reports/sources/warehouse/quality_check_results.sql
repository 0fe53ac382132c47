-- Every recorded quality check result (quality.check_results without example rows), China time.
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    false as is_placeholder
from main.quality_check_results
union all
select
    null as run_id,
    null as checked_at,
    null as check_name,
    null as asset_key,
    null as suite,
    null as expectation,
    null as column_name,
    null as severity,
    null as success,
    null as element_count,
    null as unexpected_count,
    true as is_placeholder
where not exists (select 1 from main.quality_check_results)
