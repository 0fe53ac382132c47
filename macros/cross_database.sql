{#-
    Dialect differences between DuckDB (the default target) and Spark (`--target spark`), one macro each, so the
    models keep one SQL text. Each `default__` variant renders exactly the DuckDB SQL the models used before;
    each `spark__` variant is its Spark SQL equivalent. dbt's own cross-database macros (`dbt.type_string()`,
    `dbt.datediff`, ...) are used where they give the same result on both.

    Regular-expression patterns are passed as they read (no SQL quoting); Spark's string literals treat a
    backslash as an escape, so the Spark variants double it.
-#}

{#- `*` of a relation (or of every relation) without the named columns. -#}
{% macro star_except(columns, relation_alias=none) -%}
    {{ return(adapter.dispatch('star_except', 'tmall_analytics')(columns, relation_alias)) }}
{%- endmacro %}

{% macro default__star_except(columns, relation_alias) -%}
    {% if relation_alias %}{{ relation_alias }}.{% endif %}* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns, relation_alias) -%}
    {% if relation_alias %}{{ relation_alias }}.{% endif %}* except ({{ columns | join(', ') }})
{%- endmacro %}

{#- Trim the given characters (a SQL string expression) from both ends of a text. -#}
{% macro trim_characters(expression, characters) -%}
    {{ return(adapter.dispatch('trim_characters', 'tmall_analytics')(expression, characters)) }}
{%- endmacro %}

{% macro default__trim_characters(expression, characters) -%}
    trim({{ expression }}, {{ characters }})
{%- endmacro %}

{#- Spark's two-argument trim takes the characters first: the standard form is unambiguous. -#}
{% macro spark__trim_characters(expression, characters) -%}
    trim(both {{ characters }} from {{ expression }})
{%- endmacro %}

{#- The one-character text of a Unicode code point. -#}
{% macro unicode_character(code_point) -%}
    {{ return(adapter.dispatch('unicode_character', 'tmall_analytics')(code_point)) }}
{%- endmacro %}

{% macro default__unicode_character(code_point) -%}
    chr({{ code_point }})
{%- endmacro %}

{#- Spark's chr() takes the code modulo 256; a `\uXXXX` literal does not. -#}
{% macro spark__unicode_character(code_point) -%}
    '\u{{ '%04x' % code_point }}'
{%- endmacro %}

{#- Replace every match of a regular expression. -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'tmall_analytics')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro %}

{#- True when the whole text matches the regular expression. -#}
{% macro regexp_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'tmall_analytics')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern | replace("\\", "\\\\") }})$')
{%- endmacro %}

{#- A text split on a regular expression, as an array; `array_element(array, n)` reads its n-th part (from 1). -#}
{% macro regexp_split_to_array(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_split_to_array', 'tmall_analytics')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_split_to_array(expression, pattern) -%}
    regexp_split_to_array({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_split_to_array(expression, pattern) -%}
    split({{ expression }}, '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro %}

{% macro array_element(array, position) -%}
    {{ return(adapter.dispatch('array_element', 'tmall_analytics')(array, position)) }}
{%- endmacro %}

{% macro default__array_element(array, position) -%}
    {{ array }}[{{ position }}]
{%- endmacro %}

{#- null past the end, like DuckDB (element_at fails there under ANSI mode) -#}
{% macro spark__array_element(array, position) -%}
    try_element_at({{ array }}, {{ position }})
{%- endmacro %}

{% macro array_length(array) -%}
    {{ return(adapter.dispatch('array_length', 'tmall_analytics')(array)) }}
{%- endmacro %}

{% macro default__array_length(array) -%}
    len({{ array }})
{%- endmacro %}

{% macro spark__array_length(array) -%}
    size({{ array }})
{%- endmacro %}

{#- One row per part of a delimited text (in a select list), and the number of parts. -#}
{% macro split_to_rows(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows', 'tmall_analytics')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(expression, delimiter) -%}
    unnest(string_split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__split_to_rows(expression, delimiter) -%}
    explode(split({{ expression }}, '\\Q{{ delimiter }}\\E'))
{%- endmacro %}

{% macro split_count(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_count', 'tmall_analytics')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_count(expression, delimiter) -%}
    len(string_split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__split_count(expression, delimiter) -%}
    size(split({{ expression }}, '\\Q{{ delimiter }}\\E'))
{%- endmacro %}

{#- One row per integer from `start` up to, not including, `stop` (in a select list), cast to `data_type`. -#}
{% macro series_to_rows(start, stop, data_type='bigint') -%}
    {{ return(adapter.dispatch('series_to_rows', 'tmall_analytics')(start, stop, data_type)) }}
{%- endmacro %}

{% macro default__series_to_rows(start, stop, data_type) -%}
    cast(unnest(range({{ start }}, {{ stop }})) as {{ data_type }})
{%- endmacro %}

{#- A generator cannot sit inside cast() on Spark; sequence() counts down when stop < start, so keep only the
    values below `stop` (none when stop <= start). -#}
{% macro spark__series_to_rows(start, stop, data_type) -%}
    explode(transform(
        filter(sequence({{ start }}, greatest({{ start }}, ({{ stop }}) - 1)), n -> n < ({{ stop }})),
        n -> cast(n as {{ data_type }})
    ))
{%- endmacro %}

{#-
    `from <relation> {{ lateral_series(...) }}`: the relation's rows, each repeated for the integers
    1 .. `count_expression` as column `alias.column` (a row whose count is 0 or null disappears).
-#}
{% macro lateral_series(alias, column, count_expression) -%}
    {{ return(adapter.dispatch('lateral_series', 'tmall_analytics')(alias, column, count_expression)) }}
{%- endmacro %}

{% macro default__lateral_series(alias, column, count_expression) -%}
    cross join lateral (
        select
            unnest(
                range(1, cast(coalesce({{ count_expression }}, 0) as bigint) + 1)
            ) as {{ column }}
    ) as {{ alias }}
{%- endmacro %}

{% macro spark__lateral_series(alias, column, count_expression) -%}
    lateral view explode(
        filter(
            sequence(1, greatest(1, cast(coalesce({{ count_expression }}, 0) as bigint))),
            n -> n <= coalesce({{ count_expression }}, 0)
        )
    ) {{ alias }} as {{ column }}
{%- endmacro %}

{#- JSON: a scalar at a path as text; the JSON text at a (computed) path; the length of the array at a path. -#}
{% macro json_text(expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'tmall_analytics')(expression, path)) }}
{%- endmacro %}

{% macro default__json_text(expression, path) -%}
    json_extract_string({{ expression }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(expression, path) -%}
    get_json_object({{ expression }}, '{{ path }}')
{%- endmacro %}

{% macro json_at(expression, path_expression) -%}
    {{ return(adapter.dispatch('json_at', 'tmall_analytics')(expression, path_expression)) }}
{%- endmacro %}

{% macro default__json_at(expression, path_expression) -%}
    json_extract({{ expression }}, {{ path_expression }})
{%- endmacro %}

{% macro spark__json_at(expression, path_expression) -%}
    get_json_object({{ expression }}, {{ path_expression }})
{%- endmacro %}

{% macro json_array_length_at(expression, path) -%}
    {{ return(adapter.dispatch('json_array_length_at', 'tmall_analytics')(expression, path)) }}
{%- endmacro %}

{% macro default__json_array_length_at(expression, path) -%}
    json_array_length({{ expression }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_array_length_at(expression, path) -%}
    json_array_length(get_json_object({{ expression }}, '{{ path }}'))
{%- endmacro %}

{#- A text field of every element of the JSON array at `array_path`, joined with `separator`. -#}
{% macro json_array_join_field(expression, array_path, field, separator) -%}
    {{ return(adapter.dispatch('json_array_join_field', 'tmall_analytics')(
        expression, array_path, field, separator
    )) }}
{%- endmacro %}

{% macro default__json_array_join_field(expression, array_path, field, separator) -%}
    array_to_string(json_extract_string({{ expression }}, '{{ array_path }}[*].{{ field }}'), '{{ separator }}')
{%- endmacro %}

{% macro spark__json_array_join_field(expression, array_path, field, separator) -%}
    array_join(
        transform(
            from_json(get_json_object({{ expression }}, '{{ array_path }}'), 'array<map<string, string>>'),
            x -> x['{{ field }}']
        ),
        '{{ separator }}'
    )
{%- endmacro %}

{#- The sum of an integer field over every element of the JSON array at `array_path`. -#}
{% macro json_array_sum_field(expression, array_path, field) -%}
    {{ return(adapter.dispatch('json_array_sum_field', 'tmall_analytics')(expression, array_path, field)) }}
{%- endmacro %}

{% macro default__json_array_sum_field(expression, array_path, field) -%}
    list_sum(cast(json_extract_string({{ expression }}, '{{ array_path }}[*].{{ field }}') as integer[]))
{%- endmacro %}

{#- list_sum of an empty list is null -#}
{% macro spark__json_array_sum_field(expression, array_path, field) -%}
    nullif(aggregate(
        transform(
            from_json(get_json_object({{ expression }}, '{{ array_path }}'), 'array<map<string, string>>'),
            x -> cast(x['{{ field }}'] as bigint)
        ),
        cast(0 as bigint), (total, value) -> total + value
    ), 0)
{%- endmacro %}

{#- ISO day of week, Monday 1 .. Sunday 7. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'tmall_analytics')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}

{#- `2025-03` from a date. -#}
{% macro year_month_text(date_expression) -%}
    {{ return(adapter.dispatch('year_month_text', 'tmall_analytics')(date_expression)) }}
{%- endmacro %}

{% macro default__year_month_text(date_expression) -%}
    strftime({{ date_expression }}, '%Y-%m')
{%- endmacro %}

{% macro spark__year_month_text(date_expression) -%}
    date_format({{ date_expression }}, 'yyyy-MM')
{%- endmacro %}

{#- An exact integer wider than bigint, for products of amounts in cents. -#}
{% macro type_huge_integer() -%}
    {{ return(adapter.dispatch('type_huge_integer', 'tmall_analytics')()) }}
{%- endmacro %}

{% macro default__type_huge_integer() -%}
    hugeint
{%- endmacro %}

{% macro spark__type_huge_integer() -%}
    decimal(38, 0)
{%- endmacro %}

{#-
    Model contracts declare DuckDB's type names (`data_type: varchar`); Spark spells an unbounded text `string`
    (its `varchar` needs a length). dbt checks a contract by casting null to each declared type (`dbt.cast`),
    so translating the name there lets the same contracts be enforced on Spark.
-#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ 'string' if type | trim | lower in ('varchar', 'text') else type }})
{%- endmacro %}

{#-
    The set operator between two branches that have the same columns. DuckDB matches them by name; Spark SQL has
    no by-name union, so there it is positional: every branch must list the same columns in the same order (the
    first branch's), which `tests/spark/` checks on the DuckDB build for every model that uses this macro.
-#}
{% macro union_all_by_name() -%}
    {{ return(adapter.dispatch('union_all_by_name', 'tmall_analytics')()) }}
{%- endmacro %}

{% macro default__union_all_by_name() -%}
    union all by name
{%- endmacro %}

{% macro spark__union_all_by_name() -%}
    union all
{%- endmacro %}

{#- A date `months` calendar months later. -#}
{% macro add_months(date_expression, months) -%}
    {{ return(adapter.dispatch('add_months', 'tmall_analytics')(date_expression, months)) }}
{%- endmacro %}

{% macro default__add_months(date_expression, months) -%}
    {{ date_expression }} + to_months({{ months }})
{%- endmacro %}

{% macro spark__add_months(date_expression, months) -%}
    add_months({{ date_expression }}, {{ months }})
{%- endmacro %}

{#-
    Every column of every table and view in the given schemas of the target, as a relation with
    table_schema, table_name and column_name. DuckDB has information_schema; Spark has no such view, so the
    Spark variant reads the catalog when the query is built (at execution) and lists the columns as values.
-#}
{% macro columns_in_schemas(schemas) -%}
    {{ return(adapter.dispatch('columns_in_schemas', 'tmall_analytics')(schemas)) }}
{%- endmacro %}

{% macro default__columns_in_schemas(schemas) -%}
    (
        select
            table_schema,
            table_name,
            column_name
        from information_schema.columns
        where table_catalog = '{{ target.database }}'
            and table_schema in (
                {%- for schema in schemas %}'{{ schema }}'{% if not loop.last %}, {% endif %}{% endfor -%}
            )
    ) as schema_columns
{%- endmacro %}

{% macro spark__columns_in_schemas(schemas) -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for schema in schemas -%}
            {%- for table in run_query('show tables in ' ~ schema) if not table['isTemporary'] -%}
                {%- set relation = api.Relation.create(schema=schema, identifier=table['tableName']) -%}
                {%- for column in adapter.get_columns_in_relation(relation) -%}
                    {%- do rows.append("('" ~ schema ~ "', '" ~ table['tableName'] ~ "', '" ~ column.name ~ "')") -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if rows | length == 0 -%}
        {%- do rows.append("(cast(null as string), cast(null as string), cast(null as string))") -%}
    {%- endif -%}
    (
        select *
        from values {{ rows | join(', ') }} as schema_columns (table_schema, table_name, column_name)
    ) as schema_columns
{%- endmacro %}

{#- The number of `datepart` boundaries from `first` to `second` (DuckDB's date_diff; dbt.datediff on Spark). -#}
{% macro date_difference(datepart, first, second) -%}
    {{ return(adapter.dispatch('date_difference', 'tmall_analytics')(datepart, first, second)) }}
{%- endmacro %}

{% macro default__date_difference(datepart, first, second) -%}
    date_diff('{{ datepart }}', {{ first }}, {{ second }})
{%- endmacro %}

{% macro spark__date_difference(datepart, first, second) -%}
    {{ dbt.datediff(first, second, datepart) }}
{%- endmacro %}

{#-
    dbt-spark's listagg ignores `order by` (with a warning), which would leave the order of the parts to chance.
    This override keeps it for one ascending sort expression (`order by <expression> [asc]`): the parts are
    collected with their sort key, sorted, and joined. Nulls are skipped, as by string_agg.
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set match = modules.re.match('(?is)^\s*order\s+by\s+(.+?)(\s+asc)?\s*$', order_by_clause) -%}
        {%- if not match or ',' in match.group(1) or modules.re.search('(?i)\sdesc\s*$', match.group(1)) -%}
            {{ exceptions.raise_compiler_error("Spark listagg: one ascending sort key, not " ~ order_by_clause) }}
        {%- endif -%}
        {%- set collected -%}
            transform(
                array_sort(collect_list(struct({{ match.group(1) }} as sort_key, {{ measure }} as part))),
                entry -> entry.part
            )
        {%- endset -%}
    {%- else -%}
        {%- set collected -%}collect_list({{ measure }}){%- endset -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected -%}slice({{ collected }}, 1, {{ limit_num }}){%- endset -%}
    {%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}
