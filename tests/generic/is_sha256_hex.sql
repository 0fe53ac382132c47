{#-
    The column holds only salted hashes (64 lower-case hex characters) or null: the check that a column meant
    to replace personal data does not carry the clear value.
-#}
{% test is_sha256_hex(model, column_name) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not {{ regexp_full_match(column_name, '[0-9a-f]{64}') }}

{% endtest %}
