-- What was loaded from which landing file (raw.ingest_log: names and counts only), China time.
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    dataset,
    source_file,
    rows_in,
    rows_loaded,
    rows_quarantined,
    status,
    loaded_at,
    false as is_placeholder
from main.ingest_files
union all
select
    '' as dataset,
    '' as source_file,
    cast(0 as bigint) as rows_in,
    cast(0 as bigint) as rows_loaded,
    cast(0 as bigint) as rows_quarantined,
    '' as status,
    timestamp '1970-01-01 00:00:00' as loaded_at,
    true as is_placeholder
where not exists (select 1 from main.ingest_files)
