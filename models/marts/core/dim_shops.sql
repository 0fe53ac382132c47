{#-
    One row per shop, keyed by the shop name: the ERP (聚水潭) knows a shop only by its name, the Tmall order
    report by name and 店铺Id. A shop seen in only one system is kept and flagged.
-#}

with

tmall_orders as (

    select * from {{ ref('int_tmall_orders_unioned') }}
    where shop_name is not null

),

erp_orders as (

    select * from {{ ref('int_erp_sales_orders_unioned') }}
    where shop_name is not null

),

tmall_shops as (

    select
        shop_name,
        max(shop_id) as shop_id,
        count(distinct shop_id) as shop_id_count,
        count(*) as tmall_order_count,
        min(created_at) as first_order_at,
        max(created_at) as latest_order_at
    from tmall_orders
    group by shop_name

),

erp_shops as (

    select
        shop_name,
        count(*) as erp_order_count
    from erp_orders
    group by shop_name

),

final as (

    select
        coalesce(tmall_shops.shop_name, erp_shops.shop_name) as shop_name,
        tmall_shops.shop_id,
        coalesce(tmall_shops.shop_id_count, 0) > 1 as has_several_shop_ids,
        coalesce(tmall_shops.tmall_order_count, 0) as tmall_order_count,
        coalesce(erp_shops.erp_order_count, 0) as erp_order_count,
        tmall_shops.first_order_at,
        tmall_shops.latest_order_at,
        tmall_shops.shop_name is not null as is_in_tmall,
        erp_shops.shop_name is not null as is_in_erp
    from tmall_shops
    full outer join erp_shops
        on tmall_shops.shop_name = erp_shops.shop_name

)

select * from final
