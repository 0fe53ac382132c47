{#-
    Personal data stays in the raw layer: no table or view in staging, intermediate or marts has a column named
    like a clear-text personal field of the raw tables (var `personal_columns`, generated in dbt_project.yml from
    the dataset declarations by `python -m orchestration.ingest.declarations`). Staging carries only their salted
    hashes, `*_hash`, and the customer key; is_sha256_hex tests check those values.
-#}
-- runs after the models it inspects:
-- depends_on: {{ ref('stg_tmall__orders') }}, {{ ref('stg_tmall__order_items') }}, {{ ref('stg_erp__sales_orders') }}
-- depends_on: {{ ref('stg_erp__api_orders') }}, {{ ref('int_erp_sales_orders_unioned') }}
-- depends_on: {{ ref('int_order_lines_discounts_allocated') }}, {{ ref('int_order_lines_products_mapped') }}
-- depends_on: {{ ref('fct_orders') }}, {{ ref('fct_order_lines') }}
-- depends_on: {{ ref('dim_customers') }}, {{ ref('dim_products') }}

select
    table_schema,
    table_name,
    column_name
from {{ columns_in_schemas(['staging', 'intermediate', 'marts']) }}
where lower(column_name) in (
        {%- for column in var("personal_columns") %}
            '{{ column }}'{{ "," if not loop.last }}
        {%- endfor %}
    )
