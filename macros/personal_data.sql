{#-
    Personal data (PIPL) never leaves the raw layer in clear text. Staging replaces every personal column
    with a salted hash: lower-case hex sha256(salt || trimmed value), null when the cell is empty.

    The salt is `var('pii_hash_salt')`, which defaults to the environment variable PII_HASH_SALT and then to a
    documented demo salt (dbt_project.yml). The hash is stable for a given salt, so the hashed buyer nick
    serves as the customer key; changing the salt changes every key.
-#}
{% macro hash_personal_data(column) -%}
    case
        when {{ clean_text(column) }} is null then null
        else {{ sha256_hex("'" ~ (var('pii_hash_salt') | replace("'", "''")) ~ "' || " ~ clean_text(column)) }}
    end
{%- endmacro %}

{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'tmall_analytics')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
