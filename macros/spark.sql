{#-
    The Spark target (`--target spark`) reads the raw tables from the Spark database `raw`. The ingest writes DuckDB;
    `python -m orchestration.transform.spark_raw` exports each raw table to `<parquet_dir>/<table>/`, and this
    operation registers every raw source of the project as a Parquet table over its folder (`parquet_dir`: an
    absolute path or a URI):

        dbt run-operation register_raw_tables_on_spark --target spark \
            --args "{parquet_dir: $PWD/target/spark/raw}"

    The list of tables comes from the dbt sources, so a source added under models/staging/ is registered too.
    On a cluster that already has the raw tables (or with another location), skip this or pass that location.
-#}
{% macro register_raw_tables_on_spark(parquet_dir) %}
    {% if target.type != 'spark' %}
        {{ exceptions.raise_compiler_error("register_raw_tables_on_spark is for Spark, not " ~ target.type) }}
    {% endif %}
    {% if not (parquet_dir.startswith('/') or '://' in parquet_dir) %}
        {{ exceptions.raise_compiler_error("parquet_dir must be an absolute path or a URI, not " ~ parquet_dir) }}
    {% endif %}
    {% set schemas = [] %}
    {# the raw tables only: the forecast step's tables (source `forecast`) are written by a Python asset on DuckDB,
       and the Spark build stops before the models that read them #}
    {% for source in graph.sources.values() if source.schema == 'raw' %}
        {% if source.schema not in schemas %}
            {% do schemas.append(source.schema) %}
            {% do run_query("create database if not exists " ~ source.schema) %}
        {% endif %}
        {% set location = parquet_dir.rstrip('/') ~ '/' ~ source.identifier %}
        {% do run_query("drop table if exists " ~ source.schema ~ "." ~ source.identifier) %}
        {% do run_query(
            "create table " ~ source.schema ~ "." ~ source.identifier
            ~ " using parquet location '" ~ location | replace("'", "\\'") ~ "'"
        ) %}
        {{ log("registered " ~ source.schema ~ "." ~ source.identifier ~ " on " ~ location, info=true) }}
    {% endfor %}
{% endmacro %}
