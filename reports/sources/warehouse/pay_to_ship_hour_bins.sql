-- The pay-to-ship hours of shipped paid orders, binned for the fulfilment page's histogram (one row per bin, from
-- marts.fct_order_fulfilment; orchestration/reports/page_aggregates.py).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    bin_index,
    bin_start,
    bin_end,
    bin_decimals,
    value_median,
    value_max_decimals,
    orders,
    is_placeholder
from main.pay_to_ship_hour_bins
order by bin_index
