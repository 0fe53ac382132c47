-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_month,
    product,
    units_sold,
    costed_product_sales,
    gross_margin
from main.monthly_sales_by_product
