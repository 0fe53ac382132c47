-- One row per day of the data range (contract: docs/metric-tables.md).
select
    metric_date,
    orders,
    paid_orders,
    gmv,
    paid_gmv,
    refund_amount,
    refunded_orders,
    net_sales
from main.daily_kpis
order by metric_date
