-- What was loaded from which landing file (raw.ingest_log: names and counts only), China time.
select
    dataset,
    source_file,
    rows_in,
    rows_loaded,
    rows_quarantined,
    status,
    loaded_at
from main.ingest_files
