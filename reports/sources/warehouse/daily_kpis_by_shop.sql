-- One row per day and shop (contract: docs/metric-tables.md).
select
    metric_date,
    shop_name,
    orders,
    paid_orders,
    gmv,
    paid_gmv,
    refund_amount,
    refunded_orders,
    net_sales
from main.daily_kpis_by_shop
order by metric_date, shop_name
