{#-
    SCD type 2 history of each ERP SKU's cost, sale price and name, from the repeated SKU master extracts: one row
    per version that changed something, valid from its 修改时间 until the next change (valid_to_at null = current).
    A version that repeats the previous one's cost, price and name is folded into it. A version without a
    modification time sorts first (it is the oldest known).
-#}

with

versions as (

    select * from {{ ref('int_erp_sku_versions_unioned') }}

),

ordered as (

    select
        *,
        lag(cost_price) over by_time as previous_cost_price,
        lag(sale_price) over by_time as previous_sale_price,
        lag(sku_name) over by_time as previous_sku_name,
        row_number() over by_time as version_number
    from versions
    window by_time as (partition by sku_id order by modified_at asc nulls first, _loaded_at asc)

),

changes as (

    select * from ordered
    where version_number = 1
        or cost_price is distinct from previous_cost_price
        or sale_price is distinct from previous_sale_price
        or sku_name is distinct from previous_sku_name

),

final as (

    select
        sku_version_id as product_cost_version_id,
        sku_id,
        sku_name,
        category,
        cost_price,
        sale_price,
        modified_at as valid_from_at,
        lead(modified_at) over (partition by sku_id order by modified_at asc nulls first) as valid_to_at,
        lead(modified_at) over (partition by sku_id order by modified_at asc nulls first) is null as is_current
    from changes

)

select * from final
