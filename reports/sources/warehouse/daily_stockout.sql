-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_date,
    stockout_sku_rate
from main.daily_stockout
