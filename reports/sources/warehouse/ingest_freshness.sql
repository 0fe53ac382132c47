-- What was loaded per raw dataset (raw.ingest_log summed per dataset: names and counts only), China time.
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    dataset,
    files_loaded,
    files_skipped,
    rows_loaded,
    rows_quarantined,
    last_loaded_at,
    last_file,
    is_placeholder
from main.ingest_freshness
order by dataset
