-- One row per period (昨日, 近7天, 近30天);
-- prev_* hold the previous period of equal length.
select
    period_key,
    period_label,
    period_order,
    start_date,
    end_date,
    orders,
    paid_orders,
    gmv,
    paid_gmv,
    refund_amount,
    refunded_orders,
    net_sales,
    prev_orders,
    prev_paid_orders,
    prev_gmv,
    prev_paid_gmv,
    prev_refund_amount,
    prev_refunded_orders,
    prev_net_sales
from main.kpi_periods
order by period_order
