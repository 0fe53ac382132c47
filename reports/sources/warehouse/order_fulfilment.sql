-- Shipped paid orders with their pay-to-ship hours (marts.fct_order_fulfilment; no personal data).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    order_id,
    shop_name,
    paid_date,
    warehouse_name,
    is_shipped,
    pay_to_ship_hours,
    is_shipped_within_48h,
    is_placeholder
from main.order_fulfilment
order by paid_date, order_id
