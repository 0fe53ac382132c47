-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    metric_month,
    product,
    units_sold,
    costed_product_sales,
    gross_margin,
    false as is_placeholder
from main.monthly_sales_by_product
union all
select
    date '1970-01-01' as metric_month,
    '' as product,
    cast(0 as bigint) as units_sold,
    cast(0 as decimal(18,2)) as costed_product_sales,
    cast(0 as decimal(18,2)) as gross_margin,
    true as is_placeholder
where not exists (select 1 from main.monthly_sales_by_product)
