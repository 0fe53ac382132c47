-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- Evidence writes no file for an empty result, and pages cannot query a missing one: an empty table gives one
-- row with is_placeholder = true instead, which every page filters out (reports/README.md).
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
    null as metric_month,
    null as product,
    null as units_sold,
    null as costed_product_sales,
    null as gross_margin,
    true as is_placeholder
where not exists (select 1 from main.monthly_sales_by_product)
