"""Report tables aggregated in SQL to what their page draws, so the report grows with days and SKUs, not orders.

Each query reads `source`: the whitelisted columns of its `ReportTable` (orchestration/reports/export.py), never the
warehouse relation itself, so an aggregate can only use what the whitelist lets through.
"""

from __future__ import annotations

PAY_TO_SHIP_HOUR_BINS = """
with hours as (
    select cast(pay_to_ship_hours as double) as hours from source where pay_to_ship_hours is not null
),
stats as (
    select
        count(*) as n,
        min(hours) as lo,
        max(hours) as hi,
        count(distinct hours) as n_distinct,
        quantile_cont(hours, 0.25) as q1,
        quantile_cont(hours, 0.75) as q3,
        median(hours) as value_median,
        max(length(rtrim(split_part(cast(hours as varchar), '.', 2), '0'))) as value_max_decimals
    from hours
    having count(*) > 0
),
wanted as (
    select
        *,
        case
            when n_distinct <= 1 or hi >= 40 then least(ceil(sqrt(n)), 50)
            when hi >= 10 then ceil(ln(n) / ln(2)) + 1
            when q3 > q1 then ceil((hi - lo) / (2 * (q3 - q1) * pow(n, -1 / 3)))
        end as bin_target
    from stats
),
raw_step as (
    select *, coalesce((hi - lo) / bin_target, 0) as step0 from wanted
),
magnitude as (
    select
        *,
        case
            when step0 = 0 then 0
            when step0 / pow(10, floor(log10(step0))) >= 10 then floor(log10(step0)) + 1
            else floor(log10(step0))
        end as exponent
    from raw_step
),
nice_step as (
    select
        *,
        cast(greatest(-exponent, 0) as integer) as digits,
        round(
            pow(10, exponent) * case
                when step0 / pow(10, exponent) >= sqrt(50) then 10
                when step0 / pow(10, exponent) >= sqrt(10) then 5
                when step0 / pow(10, exponent) >= sqrt(2) then 2
                else 1
            end,
            cast(greatest(-exponent, 0) as integer)
        ) as step
    from magnitude
),
span as (
    select
        *,
        round(ceil(lo / step) * step, digits) as first_edge,
        round(floor(hi / step) * step, digits) as last_edge
    from nice_step
),
edges as (
    select i as edge_index, round(first_edge + i * step, digits) as edge
    from span, range(0, cast(ceil(round((last_edge - first_edge) / step, digits)) as bigint) + 1) as t(i)
),
edge_count as (
    select count(*) as edge_total, min(edge) as first_edge, max(edge) as last_edge from edges
),
bins as (
    select
        b.bin_index,
        case
            when b.bin_index > 0 then lower_edge.edge
            when c.first_edge - s.lo = s.step then s.lo
            else c.first_edge - s.step
        end as bin_start,
        case
            when b.bin_index < c.edge_total then upper_edge.edge
            when s.hi - c.last_edge = s.step then s.hi
            else c.last_edge + s.step
        end as bin_end,
        s.digits as bin_decimals,
        s.value_median,
        cast(s.value_max_decimals as integer) as value_max_decimals
    from span as s
    cross join edge_count as c
    cross join range(0, c.edge_total + 1) as b(bin_index)
    left join edges as lower_edge on lower_edge.edge_index = b.bin_index - 1
    left join edges as upper_edge on upper_edge.edge_index = b.bin_index
),
counted as (
    select coalesce(e.edge_index + 1, 0) as bin_index, count(*) as orders
    from hours as h
    asof left join edges as e on h.hours >= e.edge
    group by 1
)
select
    bins.bin_index,
    bins.bin_start,
    bins.bin_end,
    bins.bin_decimals,
    bins.value_median,
    bins.value_max_decimals,
    coalesce(counted.orders, 0) as orders
from bins
left join counted on counted.bin_index = bins.bin_index
order by bins.bin_index
"""
"""The fulfilment page's histogram of pay-to-ship hours, binned as Evidence's `Histogram` bins the values it is given
(echarts-stat `histogram`, with the method Evidence's `Hist` picks: square root of the count capped at 50 bins when
the largest value is 40 or more, or there is one distinct value; Sturges below 40; Freedman–Diaconis below 10; a
"nice" bin width; a bin holds [start, end)). One row per bin, empty bins included, in bin order; `bin_decimals` is
the rounding echarts-stat applies to the bin's midpoint; `value_median` and `value_max_decimals` (the same in every
row) are what Evidence picks the hours' axis format from. reports/components/BinnedHistogram.svelte draws them as the
`Histogram` would (tests/report/test_report_aggregates.py checks the bins against echarts-stat itself)."""

PAY_TO_SHIP_HOUR_BINS_MOST = 81
"""The most bins PAY_TO_SHIP_HOUR_BINS returns when the longest pay-to-ship time is 10 hours or more: 50 wanted, a
"nice" width as small as 1/sqrt(10) × 2 of the exact one (up to 79 bins), and the two at the ends. Below 10 hours
echarts-stat's Freedman–Diaconis rule grows with the cube root of the orders, as Evidence's own Histogram does."""

RECONCILIATION_LIST_LENGTH = 500
"""The most orders the reconciliation page lists per category (the largest amounts at stake first)."""

RECONCILIATION_EXCEPTIONS = f"""
select * exclude (list_rank)
from (
    select
        *,
        row_number() over (
            partition by reconciliation_category
            order by amount_at_stake desc, reconciliation_date, order_id, reconciliation_item_id
        ) as list_rank
    from source
)
where list_rank <= {RECONCILIATION_LIST_LENGTH}
"""
"""The reconciliation page's order lists: per category, the `RECONCILIATION_LIST_LENGTH` items with the largest amount
at stake, in the page's own order (its tables show 20 a page); the category totals come from the metric tables."""

INGEST_FRESHNESS = """
select
    dataset,
    count(*) filter (where status = 'loaded') as files_loaded,
    count(*) filter (where status <> 'loaded') as files_skipped,
    cast(sum(rows_loaded) as bigint) as rows_loaded,
    cast(sum(rows_quarantined) as bigint) as rows_quarantined,
    max(loaded_at) filter (where status = 'loaded') as last_loaded_at,
    regexp_extract(arg_max(source_file, loaded_at), '[^/]+$') as last_file
from source
group by dataset
"""
"""The quality page's freshness table: per raw dataset, the files (or API windows) loaded and skipped, their rows,
the last load (China time) and the name of the last file, without its folder. One row per dataset, where the load
log has one per file and grows every night."""

IS_BLOCKING = "severity = 'error' and check_name <> 'dbt_source_freshness'"
"""A failed check that stops the run's downstream data and report: errors, except source freshness, which only warns
(docs/quality.md)."""

QUALITY_LATEST_RUN = f"""
select *, {IS_BLOCKING} as is_blocking
from source
where run_id = (select run_id from source order by checked_at desc limit 1)
"""
"""The quality page's table of check results: the latest run's (by check time), each marked blocking or not."""

QUALITY_RUN_HISTORY = f"""
select
    run_id,
    max(checked_at) as checked_at,
    count(*) as checks,
    count(*) filter (where not success and {IS_BLOCKING}) as failed,
    count(*) filter (where not success and not ({IS_BLOCKING})) as warned
from source
group by run_id
"""
"""The quality page's history: one row per run with its checks, blocking failures and warnings, where the results
have a row per check and run."""
