-- One row: how fresh the report data is.
select
    data_as_of,
    generated_at,
    run_id
from main.report_meta
