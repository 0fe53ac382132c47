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

{#-
    The customer key of a buyer, falling back in a fixed order when the platform masks the nick
    (docs/api-sources.md, "Buyer identity"):
      1. the buyer nick, when readable (no `*` mask): sha256(salt || nick), the key the seller-center exports give;
      2. else the buyer_open_uid (TOP's stable per-app buyer id): sha256(salt || 'open_uid:' || uid);
      3. else the OAID (the order's anonymous receiver id): sha256(salt || 'oaid:' || oaid);
      4. else null (a masked nick alone would merge different buyers into one key).
    The prefixes keep a uid from ever hashing to a nick's key. customer_key_source names the step used.
-#}
{% macro customer_key(buyer_nick, buyer_open_uid=none, oaid=none) -%}
    case
        when {{ clean_text(buyer_nick) }} not like '%*%' then {{ hash_personal_data(buyer_nick) }}
        {%- if buyer_open_uid %}
        when {{ clean_text(buyer_open_uid) }} is not null
            then {{ hash_personal_data("'open_uid:' || " ~ clean_text(buyer_open_uid)) }}
        {%- endif %}
        {%- if oaid %}
        when {{ clean_text(oaid) }} is not null then {{ hash_personal_data("'oaid:' || " ~ clean_text(oaid)) }}
        {%- endif %}
    end
{%- endmacro %}

{% macro customer_key_source(buyer_nick, buyer_open_uid=none, oaid=none) -%}
    case
        when {{ clean_text(buyer_nick) }} not like '%*%' then 'buyer_nick'
        {%- if buyer_open_uid %}
        when {{ clean_text(buyer_open_uid) }} is not null then 'buyer_open_uid'
        {%- endif %}
        {%- if oaid %}
        when {{ clean_text(oaid) }} is not null then 'oaid'
        {%- endif %}
    end
{%- endmacro %}
