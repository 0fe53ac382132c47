{#-
    The raw tables are append-only: the same export may be loaded again in a later batch, and a later export
    re-delivers an order with its newer status. This is the one ordering that decides which delivered row is
    the current version of a record: the latest load first (`_loaded_at`), then the later batch id, then the
    later row of the file. Use it in `row_number() over (partition by <key> order by {{ latest_delivery_first() }})`.

    `prefer` puts a business "modified at" ordering in front, for sources that carry one (the ERP).
-#}
{% macro latest_delivery_first(prefer=none) -%}
    {%- if prefer is not none %}{{ prefer }}, {% endif -%}
    cast(_loaded_at as timestamp) desc, _batch_id desc, cast(_source_row_number as bigint) desc
{%- endmacro %}

{#- A deterministic text key built from several columns (null-safe). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|', {% for column in columns -%}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>'){% if not loop.last %}, {% endif %}
    {%- endfor %}))
{%- endmacro %}
