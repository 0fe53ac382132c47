-- One row per metric; generated from models/metrics/*.yml.
select
    metric_name,
    label,
    description,
    metric_type
from main.metric_definitions
order by metric_name
