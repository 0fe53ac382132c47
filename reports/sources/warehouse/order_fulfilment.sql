-- Shipped paid orders with their pay-to-ship hours (marts.fct_order_fulfilment; no personal data).
select
    order_id,
    shop_name,
    paid_date,
    warehouse_name,
    is_shipped,
    pay_to_ship_hours,
    is_shipped_within_48h
from main.order_fulfilment
