{#-
    Cleaning helpers for the raw layer, where every column is text as exported.
    Staging models use these and nothing else to turn text into typed values, so every model
    applies one rule.
-#}

{#- Text that exports put in a cell to mean "no value". Compared after trimming. Declared once, in
    dbt_project.yml (`vars: sentinel_values`), which the raw gates read too. -#}
{% macro sentinel_values() -%}
    {{ return(var('sentinel_values')) }}
{%- endmacro %}

{#-
    Trimmed text, or null when the cell is empty or holds a sentinel.
    Trims ASCII white space, the full-width space U+3000 and a stray BOM, which Excel re-saves leave behind.
-#}
{% macro clean_text(column) -%}
    {%- set characters -%}
        ' ' || {% for code in [9, 10, 13, 12288, 65279] -%}
            {{ unicode_character(code) }}{% if not loop.last %} || {% endif %}
        {%- endfor %}
    {%- endset -%}
    {%- set trimmed = trim_characters(column, characters) -%}
    case
        when {{ trimmed }} in (
            {%- for value in sentinel_values() %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ) then null
        else {{ trimmed }}
    end
{%- endmacro %}

{#-
    Money in yuan as decimal(18, 2). Accepts exactly the spellings of `vars: money_spelling` in dbt_project.yml
    (`1234.5`, `1,234.50`, `¥12.00`, `-3.00`; docs/landing-formats.md lists them), which the raw gates check too;
    sentinels become null. Anything else (`1e3`, `12.345`, `1 234`) fails the model, naming the value: a money cell
    must never vanish or change silently.
-#}
{% macro to_money(column) -%}
    {{ return(adapter.dispatch('to_money', 'tmall_analytics')(column)) }}
{%- endmacro %}

{% macro default__to_money(column) -%}
    {%- set text = clean_text(column) -%}
    case
        when {{ text }} is null then null
        when regexp_full_match({{ text }}, '{{ var("money_spelling") }}')
            then cast(replace(replace(replace({{ text }}, ',', ''), '¥', ''), '￥', '') as decimal(18, 2))
        else cast(error('not a money amount: ' || {{ text }}) as decimal(18, 2))
    end
{%- endmacro %}

{% macro spark__to_money(column) -%}
    {%- set text = clean_text(column) -%}
    case
        when {{ text }} is null then null
        when {{ text }} rlike '{{ var("money_spelling") }}'
            then cast(replace(replace(replace({{ text }}, ',', ''), '¥', ''), '￥', '') as decimal(18, 2))
        else cast(raise_error('not a money amount: ' || {{ text }}) as decimal(18, 2))
    end
{%- endmacro %}

{#- A whole quantity. Accepts `2` and Excel's `2.0`; sentinels become null. -#}
{% macro to_quantity(column) -%}
    cast(cast(replace({{ clean_text(column) }}, ',', '') as decimal(18, 4)) as integer)
{%- endmacro %}

{#-
    A China-local timestamp (Asia/Shanghai, no zone marker) as `timestamp` without time zone.
    Accepts the export shape `2025-03-14 10:23:45`, Excel's re-saved shape `2025/3/14 10:23` (seconds lost,
    no zero padding), ISO `2025-03-14T10:23:45`, and a bare date. Sentinels become null; anything else
    fails the model, naming the value.
-#}
{% macro to_china_timestamp(column) -%}
    {{ return(adapter.dispatch('to_china_timestamp', 'tmall_analytics')(column)) }}
{%- endmacro %}

{% macro default__to_china_timestamp(column) -%}
    strptime(
        replace(replace({{ clean_text(column) }}, '/', '-'), 'T', ' '),
        ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%d']
    )
{%- endmacro %}

{#- Spark: the first of the accepted shapes that parses; a value none parses fails the query, as on DuckDB. -#}
{% macro spark__to_china_timestamp(column) -%}
    {%- set text -%}replace(replace({{ clean_text(column) }}, '/', '-'), 'T', ' '){%- endset -%}
    {%- set parsed -%}
        coalesce(
            try_to_timestamp({{ text }}, 'y-M-d H:m:s.SSSSSS'),
            try_to_timestamp({{ text }}, 'y-M-d H:m:s'),
            try_to_timestamp({{ text }}, 'y-M-d H:m'),
            try_to_timestamp({{ text }}, 'y-M-d')
        )
    {%- endset -%}
    case
        when {{ text }} is null then null
        when {{ parsed }} is not null then {{ parsed }}
        else cast(raise_error('Could not parse timestamp: ' || {{ text }}) as timestamp)
    end
{%- endmacro %}

{#- 是/否 (and true/false, 1/0) as boolean; sentinels become null. -#}
{% macro to_yes_no_boolean(column) -%}
    case
        when {{ clean_text(column) }} in ('是', 'true', 'TRUE', '1', 'Y', 'y') then true
        when {{ clean_text(column) }} in ('否', 'false', 'FALSE', '0', 'N', 'n') then false
    end
{%- endmacro %}

{#- Integer division truncating toward zero, for exact money arithmetic in cents. -#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'tmall_analytics')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#-
    A rate as a fraction, decimal(12, 6): 生意参谋 writes rates as text percentages (`2.35%` → 0.0235,
    `1,234.5%` → 12.345); a cell Excel re-saved as a number holds the fraction itself (`0.0235` → 0.0235).
    `-` (生意参谋's "no data") and the sentinels become null; anything else fails the model, naming the value.
-#}
{% macro to_rate(column) -%}
    {%- set text -%}nullif(replace({{ clean_text(column) }}, ',', ''), '-'){%- endset -%}
    cast(
        case
            when right({{ text }}, 1) = '%'
                then cast(trim(replace({{ text }}, '%', '')) as decimal(18, 6)) / 100
            else cast({{ text }} as decimal(18, 6))
        end
        as decimal(12, 6)
    )
{%- endmacro %}

{#- A count (visitors, buyers): `1,234`, `1234`, Excel's `1234.0`; `-` and sentinels become null. -#}
{% macro to_count(column) -%}
    {{ to_quantity("nullif(" ~ clean_text(column) ~ ", '-')") }}
{%- endmacro %}

{#- A China-local calendar date from a date or timestamp cell (`2025-03-14`, `2025/3/14`, `2025/3/14 0:00`). -#}
{% macro to_china_date(column) -%}
    cast({{ to_china_timestamp(column) }} as date)
{%- endmacro %}
