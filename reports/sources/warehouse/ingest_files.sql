-- What was loaded from which landing file (raw.ingest_log: names and counts only), China time.
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    dataset,
    source_file,
    rows_in,
    rows_loaded,
    rows_quarantined,
    status,
    loaded_at,
    is_placeholder
from main.ingest_files
order by loaded_at, source_file
