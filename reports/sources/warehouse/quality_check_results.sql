-- The latest run's quality check results (quality.check_results without example rows), China time, each marked
-- blocking or not (orchestration/reports/page_aggregates.py).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
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
    false as is_placeholder
from main.quality_check_results
union all
select
    '' as run_id,
    timestamp '1970-01-01 00:00:00' as checked_at,
    '' as check_name,
    '' as asset_key,
    '' as suite,
    '' as expectation,
    '' as column_name,
    '' as severity,
    false as success,
    cast(0 as bigint) as element_count,
    cast(0 as bigint) as unexpected_count,
    false as is_blocking,
    true as is_placeholder
where not exists (select 1 from main.quality_check_results)
