-- The pay-to-ship hours of shipped paid orders, binned for the fulfilment page's histogram (one row per bin, from
-- marts.fct_order_fulfilment; orchestration/reports/page_aggregates.py).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    bin_index,
    bin_start,
    bin_end,
    bin_decimals,
    value_median,
    value_max_decimals,
    orders,
    false as is_placeholder
from main.pay_to_ship_hour_bins
union all
select
    cast(0 as bigint) as bin_index,
    cast(0 as double) as bin_start,
    cast(0 as double) as bin_end,
    cast(0 as integer) as bin_decimals,
    cast(0 as double) as value_median,
    cast(0 as integer) as value_max_decimals,
    cast(0 as bigint) as orders,
    true as is_placeholder
where not exists (select 1 from main.pay_to_ship_hour_bins)
