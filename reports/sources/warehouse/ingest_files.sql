-- What was loaded from which landing file (raw.ingest_log: names and counts only), China time.
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    null as dataset,
    null as source_file,
    null as rows_in,
    null as rows_loaded,
    null as rows_quarantined,
    null as status,
    null as loaded_at,
    true as is_placeholder
where not exists (select 1 from main.ingest_files)
