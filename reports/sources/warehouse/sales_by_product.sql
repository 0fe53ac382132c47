-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
-- An empty table holds one row with is_placeholder = true (orchestration/reports/export.py); pages read
-- (select * from warehouse.<table> where not is_placeholder) (reports/README.md).
select
    product,
    units_sold,
    costed_product_sales,
    gross_margin,
    gross_margin_rate,
    is_placeholder
from main.sales_by_product
order by product
