{#-
    The z-score of a cycle service level (the probability that stock covers demand until the next delivery), for the
    safety stock: z × the standard deviation of demand over the protection interval. The service level is the dbt
    var replenishment_service_level (default 0.95); one of the levels below, so that the formula stays plain SQL on
    DuckDB and Spark alike.
-#}
{% macro service_level_z(service_level) -%}
    {%- set z_scores = {
        '0.8': 0.8416, '0.85': 1.0364, '0.9': 1.2816, '0.95': 1.6449, '0.97': 1.8808, '0.975': 1.9600,
        '0.98': 2.0537, '0.99': 2.3263, '0.995': 2.5758, '0.999': 3.0902
    } -%}
    {%- set key = (service_level | float) | string -%}
    {%- if key not in z_scores -%}
        {{ exceptions.raise_compiler_error(
            "replenishment_service_level " ~ service_level ~ " is not one of " ~ (z_scores.keys() | list | join(', '))
        ) }}
    {%- endif -%}
    {{ z_scores[key] }}
{%- endmacro %}
