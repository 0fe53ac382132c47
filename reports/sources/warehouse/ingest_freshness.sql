-- What was loaded per raw dataset (raw.ingest_log summed per dataset: names and counts only), China time.
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    dataset,
    files_loaded,
    files_skipped,
    rows_loaded,
    rows_quarantined,
    last_loaded_at,
    last_file,
    false as is_placeholder
from main.ingest_freshness
union all
select
    '' as dataset,
    cast(0 as bigint) as files_loaded,
    cast(0 as bigint) as files_skipped,
    cast(0 as bigint) as rows_loaded,
    cast(0 as bigint) as rows_quarantined,
    timestamp '1970-01-01 00:00:00' as last_loaded_at,
    '' as last_file,
    true as is_placeholder
where not exists (select 1 from main.ingest_freshness)
