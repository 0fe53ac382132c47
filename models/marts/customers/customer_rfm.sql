{#-
    RFM scoring of every customer with at least one paid order, as of the last payment date in the data:

    recency_days    days from the customer's last payment date to the as-of date
    frequency       number of paid orders
    monetary_amount net amount (paid − refunded) over the customer's paid orders (yuan)

    is_recent = recency_days below the average over customers; is_frequent = frequency above the average;
    is_high_value = monetary_amount above the average. The three flags pick one of the classic eight segments
    (seeds/rfm_segments.csv: 重要价值客户 …). Quintile scores (5 = best) are kept for finer views.
-#}

with

orders as (

    select * from {{ ref('fct_orders') }}
    where is_paid and customer_key is not null

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

as_of as (

    select max(paid_date) as as_of_date from orders

),

customers as (

    select
        orders.customer_key,
        min(orders.paid_date) as first_paid_date,
        max(orders.paid_date) as last_paid_date,
        count(*) as frequency,
        cast(sum(orders.net_amount) as decimal(18, 2)) as monetary_amount
    from orders
    group by orders.customer_key

),

measured as (

    select
        customers.*,
        as_of.as_of_date,
        cast({{ date_difference('day', 'customers.last_paid_date', 'as_of.as_of_date') }} as bigint) as recency_days
    from customers
    cross join as_of

),

averages as (

    select
        avg(recency_days) as average_recency_days,
        avg(frequency) as average_frequency,
        avg(monetary_amount) as average_monetary_amount
    from measured

),

scored as (

    select
        measured.*,
        measured.recency_days < averages.average_recency_days as is_recent,
        measured.frequency > averages.average_frequency as is_frequent,
        measured.monetary_amount > averages.average_monetary_amount as is_high_value,
        cast(ntile(5) over (order by measured.recency_days desc, measured.customer_key) as bigint) as recency_score,
        cast(ntile(5) over (order by measured.frequency asc, measured.customer_key) as bigint) as frequency_score,
        cast(ntile(5) over (order by measured.monetary_amount asc, measured.customer_key) as bigint) as monetary_score
    from measured
    cross join averages

),

final as (

    select
        scored.customer_key,
        scored.as_of_date,
        scored.first_paid_date,
        scored.last_paid_date,
        scored.recency_days,
        scored.frequency,
        scored.monetary_amount,
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        scored.is_recent,
        scored.is_frequent,
        scored.is_high_value,
        segments.rfm_code,
        segments.segment_name as rfm_segment,
        segments.segment_name_en as rfm_segment_en,
        segments.segment_order as rfm_segment_order
    from scored
    left join segments
        on scored.is_recent = segments.is_recent
            and scored.is_frequent = segments.is_frequent
            and scored.is_high_value = segments.is_high_value

)

select * from final
