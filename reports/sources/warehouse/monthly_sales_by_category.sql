-- A table of the metric layer: the saved query of the same name (docs/metric-tables.md).
select
    metric_month,
    category,
    units_sold,
    costed_product_sales,
    cogs,
    gross_margin,
    gross_margin_rate
from main.monthly_sales_by_category
