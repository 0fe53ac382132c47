{#-
    Every row satisfies a SQL boolean expression. Fails with the rows where it is false or null.
    Usage:  data_tests: [{expression_is_true: {arguments: {expression: "net_amount = paid_amount - refund_amount"}}}]
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
