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

{#-
    The dedup step every staging model shares, file export and API twin alike: the current version of each record,
    one row per `key`, ranked by latest_delivery_first. Use it as the body of a CTE:

        latest_version as (
            {{ latest_version('source', key=[clean_text('tid')], modified='modified') }}
        ),

    `relation`: the CTE (or relation) holding every delivered row. `key`: the SQL expressions that identify a record
    (a list, or one expression). `modified`: a text column with the source's own modification time (China time); the
    latest wins first, a row without one last, so re-loading an old export or API window never wins. `prefer`: any
    other ordering put in front (after `modified`). The rows keep every column of `relation`, plus `version_rank`
    (always 1).
-#}
{% macro latest_version(relation, key, modified=none, prefer=none) -%}
    {%- set keys = [key] if key is string else key -%}
    {%- set first = [] -%}
    {%- if modified is not none %}{% do first.append(to_china_timestamp(modified) ~ ' desc nulls last') %}{% endif -%}
    {%- if prefer is not none %}{% do first.append(prefer) %}{% endif -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ keys | join(', ') }}
                order by {{ latest_delivery_first(prefer=(first | join(', ')) if first else none) }}
            ) as version_rank
        from {{ relation }}
    ) as versions
    where version_rank = 1
{%- endmacro %}

{#-
    The same step for exports that deliver a record as a set of rows (an outbound's or a receipt's lines): every row
    of the key's latest delivery (latest load, then later batch id; `modified`/`prefer` in front as above), so a
    later delivery with fewer lines replaces the whole set. The rows keep every column of `relation`, plus
    `delivery_rank` (always 1). All rows kept for a key share one `_loaded_at` and `_batch_id`.
-#}
{% macro latest_delivery(relation, key, modified=none, prefer=none) -%}
    {%- set keys = [key] if key is string else key -%}
    select * from (
        select
            *,
            dense_rank() over (
                partition by {{ keys | join(', ') }}
                order by
                    {% if modified is not none %}{{ to_china_timestamp(modified) }} desc nulls last, {% endif -%}
                    {%- if prefer is not none %}{{ prefer }}, {% endif -%}
                    cast(_loaded_at as timestamp) desc, _batch_id desc
            ) as delivery_rank
        from {{ relation }}
    ) as deliveries
    where delivery_rank = 1
{%- endmacro %}

{#- A deterministic text key built from several columns (null-safe). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|', {% for column in columns -%}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>'){% if not loop.last %}, {% endif %}
    {%- endfor %}))
{%- endmacro %}
