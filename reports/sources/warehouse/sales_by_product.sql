-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead (typed values, so Evidence keeps the column types), which every page
-- filters out (reports/README.md).
select
    product,
    units_sold,
    costed_product_sales,
    gross_margin,
    gross_margin_rate,
    false as is_placeholder
from main.sales_by_product
union all
select
    '' as product,
    cast(0 as bigint) as units_sold,
    cast(0 as decimal(18,2)) as costed_product_sales,
    cast(0 as decimal(18,2)) as gross_margin,
    cast(0 as double) as gross_margin_rate,
    true as is_placeholder
where not exists (select 1 from main.sales_by_product)
