{#-
    The replenishment suggestion per ERP SKU and warehouse at the latest stock snapshot, from the demand forecast
    (a periodic-review, order-up-to policy: every review period, order what brings the inventory position up to
    the order-up-to level).

    demand_share             the warehouse's share of the SKU's units shipped in the 56 days up to the snapshot
                             (else of its stock on hand, else an equal split)
    forecast_daily_units     the SKU's mean forecast per day over the replenishment cycle × demand_share
    lead time L ± σL         supplier_lead_times (measured from purchase receipts, or the documented default)
    replenishment cycle      L + R, R = var replenishment_review_days (7)
    σd                       the chosen method's root mean square daily error in the backtest × √demand_share
    safety_stock_qty         ceil(z × √((L + R) × σd² + d² × σL²)), d = forecast_daily_units, z of the service level
                             var replenishment_service_level (0.95); 0 when no demand is forecast
    reorder_point_qty        ceil(forecast demand over L + safety stock): below it, stock runs out before an order
                             placed now arrives
    order_up_to_qty          ceil(forecast demand over L + R + safety stock)
    suggested_reorder_qty    order_up_to − (available + in transit), at least 0
    Forecast demand over n days = the mean daily forecast over the first ceil(n) days (at most the 56 forecast) × n
    × demand_share, so promotions ahead raise it.
-#}

{%- set review_days = var('replenishment_review_days', 7) -%}
{%- set service_level = var('replenishment_service_level', 0.95) -%}
{%- set z = service_level_z(service_level) -%}
{%- set share_days = 56 -%}

with

snapshots as (

    select * from {{ ref('fct_inventory_snapshots') }}

),

shipments as (

    select * from {{ ref('fct_shipments') }}
    where is_shipped and sku_id is not null

),

forecasts as (

    select * from {{ ref('sku_demand_forecasts') }}

),

lead_times as (

    select * from {{ ref('supplier_lead_times') }}

),

latest as (

    select max(snapshot_date) as snapshot_date from snapshots

),

stock as (

    select
        snapshots.sku_id,
        snapshots.warehouse_name,
        snapshots.snapshot_date,
        max(snapshots.category) as category,
        sum(coalesce(snapshots.on_hand_qty, 0)) as on_hand_qty,
        sum(coalesce(snapshots.available_qty, 0)) as available_qty,
        sum(coalesce(snapshots.in_transit_qty, 0)) as in_transit_qty
    from snapshots
    inner join latest
        on snapshots.snapshot_date = latest.snapshot_date
    group by snapshots.sku_id, snapshots.warehouse_name, snapshots.snapshot_date

),

shipped as (

    select
        shipments.sku_id,
        shipments.warehouse_name,
        sum(shipments.quantity) as shipped_units
    from shipments
    cross join latest
    where shipments.shipped_date > {{ dbt.dateadd('day', -share_days, 'latest.snapshot_date') }}
        and shipments.shipped_date <= latest.snapshot_date
    group by shipments.sku_id, shipments.warehouse_name

),

shares as (

    select
        stock.*,
        coalesce(shipped.shipped_units, 0) as shipped_units,
        sum(coalesce(shipped.shipped_units, 0)) over (partition by stock.sku_id) as sku_shipped_units,
        sum(greatest(stock.on_hand_qty, 0)) over (partition by stock.sku_id) as sku_on_hand_qty,
        count(*) over (partition by stock.sku_id) as sku_warehouse_count
    from stock
    left join shipped
        on stock.sku_id = shipped.sku_id
            and stock.warehouse_name = shipped.warehouse_name

),

shared as (

    select
        *,
        case
            when sku_shipped_units > 0 then 1.0 * shipped_units / sku_shipped_units
            when sku_on_hand_qty > 0 then 1.0 * greatest(on_hand_qty, 0) / sku_on_hand_qty
            else 1.0 / sku_warehouse_count
        end as demand_share
    from shares

),

sku_forecast as (

    select
        forecasts.sku_id,
        max(forecasts.sku_class) as sku_class,
        max(forecasts.forecast_method) as forecast_method,
        max(forecasts.daily_error_sd) as daily_error_sd,
        avg(case
            when forecasts.days_ahead <= least(ceil(lead_times.lead_time_days), 56) then forecasts.forecast_units
        end) as daily_units_over_lead,
        avg(case
            when forecasts.days_ahead <= least(ceil(lead_times.lead_time_days + {{ review_days }}), 56)
                then forecasts.forecast_units
        end) as daily_units_over_cycle
    from forecasts
    left join lead_times
        on forecasts.sku_id = lead_times.sku_id
    group by forecasts.sku_id

),

planned as (

    select
        shared.sku_id,
        shared.warehouse_name,
        shared.snapshot_date,
        shared.category,
        sku_forecast.sku_class,
        sku_forecast.forecast_method,
        shared.demand_share,
        shared.on_hand_qty,
        shared.available_qty,
        shared.in_transit_qty,
        shared.available_qty + shared.in_transit_qty as inventory_position_qty,
        coalesce(lead_times.lead_time_days, {{ var('replenishment_lead_time_days', 15) }}) as lead_time_days,
        coalesce(lead_times.lead_time_sd_days, {{ var('replenishment_lead_time_sd_days', 3) }}) as lead_time_sd_days,
        coalesce(lead_times.lead_time_source, 'default') as lead_time_source,
        lead_times.supplier_name,
        coalesce(sku_forecast.daily_units_over_lead, 0) * shared.demand_share as daily_units_over_lead,
        coalesce(sku_forecast.daily_units_over_cycle, 0) * shared.demand_share as daily_units_over_cycle,
        coalesce(sku_forecast.daily_error_sd, 0) * sqrt(shared.demand_share) as daily_error_sd
    from shared
    left join sku_forecast
        on shared.sku_id = sku_forecast.sku_id
    left join lead_times
        on shared.sku_id = lead_times.sku_id

),

variances as (

    -- demand over the protection interval L + R: its variance from the forecast error and the lead time's spread
    select
        *,
        (lead_time_days + {{ review_days }}) * daily_error_sd * daily_error_sd
        + daily_units_over_cycle * daily_units_over_cycle * lead_time_sd_days * lead_time_sd_days
            as variance_over_cycle
    from planned

),

safety as (

    select
        *,
        case
            when daily_units_over_cycle <= 0 then 0
            else cast(ceil({{ z }} * sqrt(variance_over_cycle)) as integer)
        end as safety_stock_qty
    from variances

),

levels as (

    select
        *,
        cast(ceil(daily_units_over_lead * lead_time_days + safety_stock_qty) as integer) as reorder_point_qty,
        cast(ceil(daily_units_over_cycle * (lead_time_days + {{ review_days }}) + safety_stock_qty) as integer)
            as order_up_to_qty
    from safety

),

final as (

    select
        sku_id || '|' || warehouse_name as replenishment_plan_id,
        sku_id,
        warehouse_name,
        snapshot_date,
        category,
        sku_class,
        forecast_method,
        cast(demand_share as decimal(18, 4)) as demand_share,
        cast(on_hand_qty as bigint) as on_hand_qty,
        cast(available_qty as bigint) as available_qty,
        cast(in_transit_qty as bigint) as in_transit_qty,
        cast(inventory_position_qty as bigint) as inventory_position_qty,
        cast(daily_units_over_cycle as decimal(18, 2)) as forecast_daily_units,
        supplier_name,
        cast(lead_time_days as decimal(18, 1)) as lead_time_days,
        cast(lead_time_sd_days as decimal(18, 1)) as lead_time_sd_days,
        lead_time_source,
        {{ review_days }} as review_days,
        cast({{ service_level }} as decimal(5, 3)) as service_level,
        cast(daily_error_sd as decimal(18, 4)) as daily_error_sd,
        safety_stock_qty,
        reorder_point_qty,
        order_up_to_qty,
        inventory_position_qty < reorder_point_qty as is_below_reorder_point,
        cast(greatest(order_up_to_qty - inventory_position_qty, 0) as integer) as suggested_reorder_qty,
        '预计日销 ' || cast(cast(daily_units_over_cycle as decimal(18, 1)) as {{ dbt.type_string() }})
        || ' 件；补货周期 ' || cast(cast(lead_time_days + {{ review_days }} as decimal(18, 1)) as {{ dbt.type_string() }})
        || ' 天（交期 ' || cast(cast(lead_time_days as decimal(18, 1)) as {{ dbt.type_string() }})
        || '±' || cast(cast(lead_time_sd_days as decimal(18, 1)) as {{ dbt.type_string() }})
        || ' 天 + 盘点 {{ review_days }} 天）；安全库存 ' || cast(safety_stock_qty as {{ dbt.type_string() }})
        || ' 件（服务水平 {{ "%g" | format(service_level * 100) }}%）；订货至 '
        || cast(order_up_to_qty as {{ dbt.type_string() }}) || ' − 库存位置 '
        || cast(inventory_position_qty as {{ dbt.type_string() }}) || ' = 建议补货 '
        || cast(greatest(order_up_to_qty - inventory_position_qty, 0) as {{ dbt.type_string() }}) || ' 件'
            as replenishment_explanation
    from levels

)

select * from final
