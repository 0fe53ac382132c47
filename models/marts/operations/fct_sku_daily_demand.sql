{#-
    Daily demand per ERP SKU, the history the forecasts learn from: one row per SKU and day, from the SKU's first
    paid sale to the last day with orders (history_end_date: the latest order creation date, so a day that the
    extract cut short, such as payments after midnight of the last day, is left out).

    units_sold            units on paid Tmall lines of the SKU paid that day (0 on a day without sales)
    is_out_of_stock       the day is censored: the latest stock snapshot on or before it showed nothing available
                          in any warehouse (on hand − locked ≤ 0), and no purchase receipt of the SKU arrived
                          since that snapshot. Sales on such a day say how much could be sold, not how much was
                          wanted. Before the SKU's first snapshot a day counts as in stock.
    demand_units          the demand the forecasts learn from: units_sold on an in-stock day; on a censored day the
                          larger of units_sold and the SKU's average over its in-stock days of the same kind
                          (promotion day or not) in the 56 days before (units_sold if there were none)
    is_promotion_day ...  the promotion calendar (dim_dates, seed promotion_calendar): the forecasts' feature
-#}

{%- set censored_lookback_days = 56 -%}

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where is_paid and sku_id is not null

),

products as (

    select * from {{ ref('dim_products') }}
    where sku_id is not null

),

dates as (

    select * from {{ ref('dim_dates') }}

),

snapshots as (

    select * from {{ ref('fct_inventory_snapshots') }}

),

receipts as (

    select sku_id, received_date, quantity from {{ ref('stg_erp__purchase_receipts') }}
    where is_received and quantity > 0
    {{ union_all_by_name() }}
    select sku_id, received_date, quantity from {{ ref('stg_erp__api_purchase_receipts') }}
    where is_received and quantity > 0

),

history_end as (

    select max(created_date) as history_end_date from order_lines

),

sales as (

    select
        order_lines.sku_id,
        order_lines.paid_date as demand_date,
        sum(order_lines.quantity) as units_sold
    from order_lines
    cross join history_end
    where order_lines.paid_date <= history_end.history_end_date
    group by order_lines.sku_id, order_lines.paid_date

),

sku_span as (

    select
        sales.sku_id,
        max(products.category) as category,
        min(sales.demand_date) as first_sold_date
    from sales
    inner join products
        on sales.sku_id = products.sku_id
    group by sales.sku_id

),

sku_days as (

    select
        sku_span.sku_id,
        sku_span.category,
        dates.date_day as demand_date,
        {{ date_difference('day', "cast('2000-01-01' as date)", 'dates.date_day') }} as day_number,
        dates.is_promotion_day,
        dates.is_promotion_peak_day,
        dates.promotion_key,
        dates.promotion_name,
        dates.is_holiday,
        history_end.history_end_date
    from sku_span
    cross join history_end
    inner join dates
        on dates.date_day between sku_span.first_sold_date and history_end.history_end_date

),

stock_by_snapshot as (

    select
        sku_id,
        snapshot_date,
        sum(coalesce(available_qty, 0)) as available_qty
    from snapshots
    group by sku_id, snapshot_date

),

received_by_day as (

    select
        sku_id,
        received_date,
        sum(quantity) as received_qty
    from receipts
    group by sku_id, received_date

),

daily as (

    select
        sku_days.*,
        coalesce(sales.units_sold, 0) as units_sold,
        stock_by_snapshot.snapshot_date as snapshot_date_today,
        stock_by_snapshot.available_qty as snapshot_available_qty,
        coalesce(received_by_day.received_qty, 0) as received_qty
    from sku_days
    left join sales
        on sku_days.sku_id = sales.sku_id
            and sku_days.demand_date = sales.demand_date
    left join stock_by_snapshot
        on sku_days.sku_id = stock_by_snapshot.sku_id
            and sku_days.demand_date = stock_by_snapshot.snapshot_date
    left join received_by_day
        on sku_days.sku_id = received_by_day.sku_id
            and sku_days.demand_date = received_by_day.received_date

),

-- the latest snapshot on or before each day, and what was received since it (snapshots come before the day's
-- receipts: a receipt on a snapshot day counts as after it)
positioned as (

    select
        *,
        max(snapshot_date_today) over (
            partition by sku_id order by demand_date rows between unbounded preceding and current row
        ) as last_snapshot_date,
        sum(received_qty) over (
            partition by sku_id order by demand_date rows between unbounded preceding and current row
        ) as received_to_date
    from daily

),

snapshot_days as (

    select
        sku_id,
        demand_date,
        snapshot_available_qty,
        received_to_date - received_qty as received_before_snapshot
    from positioned
    where snapshot_date_today is not null

),

flagged as (

    select
        positioned.*,
        snapshot_days.snapshot_available_qty as last_snapshot_available_qty,
        positioned.received_to_date - snapshot_days.received_before_snapshot as received_since_snapshot
    from positioned
    left join snapshot_days
        on positioned.sku_id = snapshot_days.sku_id
            and positioned.last_snapshot_date = snapshot_days.demand_date

),

censored as (

    select
        *,
        coalesce(last_snapshot_available_qty <= 0 and received_since_snapshot <= 0, false) as is_out_of_stock
    from flagged

),

estimated as (

    select
        *,
        avg(case when not is_out_of_stock then units_sold end) over (
            partition by sku_id, is_promotion_day
            order by day_number
            range between {{ censored_lookback_days }} preceding and 1 preceding
        ) as in_stock_average_units
    from censored

),

final as (

    select
        sku_id || '|' || cast(demand_date as {{ dbt.type_string() }}) as sku_day_id,
        sku_id,
        category,
        demand_date,
        cast(units_sold as bigint) as units_sold,
        is_out_of_stock,
        cast(
            case
                when is_out_of_stock and in_stock_average_units > units_sold then in_stock_average_units
                else units_sold
            end as decimal(18, 2)
        ) as demand_units,
        is_promotion_day,
        is_promotion_peak_day,
        promotion_key,
        promotion_name,
        is_holiday,
        last_snapshot_date,
        cast(last_snapshot_available_qty as bigint) as last_snapshot_available_qty,
        history_end_date
    from estimated

)

select * from final
