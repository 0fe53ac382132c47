{#-
    Supplier lead time per ERP SKU, measured from purchase receipts: days from the purchase order (采购日期) to the
    receipt (入库日期) of every received line that carries both, from the export and the 聚水潭 API.

    lead_time_source  supplier_sku   the SKU's supplier delivered it at least var lead_time_min_receipts (3) times
                      supplier       else that supplier's receipts of every SKU, if at least as many
                      default        else the documented defaults: var replenishment_lead_time_days (15) and
                                     replenishment_lead_time_sd_days (3)
    The SKU's supplier is the supplier of its latest receipt. lead_time_sd_days is the sample standard deviation
    (the default's when one receipt only).
-#}

{%- set default_days = var('replenishment_lead_time_days', 15) -%}
{%- set default_sd_days = var('replenishment_lead_time_sd_days', 3) -%}
{%- set min_receipts = var('lead_time_min_receipts', 3) -%}

with

receipts as (

    select sku_id, supplier_name, purchase_ordered_at, received_at from {{ ref('stg_erp__purchase_receipts') }}
    where is_received and received_at is not null
    {{ union_all_by_name() }}
    select sku_id, supplier_name, purchase_ordered_at, received_at from {{ ref('stg_erp__api_purchase_receipts') }}
    where is_received and received_at is not null

),

skus as (

    select distinct sku_id from {{ ref('fct_inventory_snapshots') }}

),

measured as (

    select
        sku_id,
        supplier_name,
        {{ date_difference('day', 'cast(purchase_ordered_at as date)', 'cast(received_at as date)') }} as lead_days
    from receipts
    where purchase_ordered_at is not null
        and received_at >= purchase_ordered_at

),

lead_time_stats as (

    -- both levels in one pass: per supplier and SKU, and per supplier (grouping(sku_id) = 1); not the grand total
    select
        supplier_name,
        sku_id,
        grouping(sku_id) as is_supplier_level,
        count(*) as receipt_count,
        avg(lead_days) as mean_days,
        -- the sample standard deviation from exact integer sums: stddev_samp's floating-point accumulation
        -- depends on how DuckDB splits the rows between threads, and flipped a rounded .x5 between two runs
        case
            when count(*) > 1
                then sqrt(
                        cast(count(*) * sum(lead_days * lead_days) - sum(lead_days) * sum(lead_days) as double)
                        / (count(*) * (count(*) - 1))
                    )
        end as sd_days
    from measured
    group by rollup(supplier_name, sku_id)
    having grouping(supplier_name) = 0

),

by_supplier_sku as (

    select * from lead_time_stats where is_supplier_level = 0

),

by_supplier as (

    select * from lead_time_stats where is_supplier_level = 1

),

latest_supplier as (

    select sku_id, supplier_name
    from (
        select
            sku_id,
            supplier_name,
            row_number() over (partition by sku_id order by received_at desc, supplier_name) as recency
        from receipts
        where supplier_name is not null
    ) as ranked
    where recency = 1

),

final as (

    select
        skus.sku_id,
        latest_supplier.supplier_name,
        cast(coalesce(by_supplier_sku.receipt_count, 0) as bigint) as supplier_sku_receipt_count,
        cast(coalesce(by_supplier.receipt_count, 0) as bigint) as supplier_receipt_count,
        case
            when by_supplier_sku.receipt_count >= {{ min_receipts }} then 'supplier_sku'
            when by_supplier.receipt_count >= {{ min_receipts }} then 'supplier'
            else 'default'
        end as lead_time_source,
        cast(case
            when by_supplier_sku.receipt_count >= {{ min_receipts }} then by_supplier_sku.mean_days
            when by_supplier.receipt_count >= {{ min_receipts }} then by_supplier.mean_days
            else {{ default_days }}
        end as decimal(18, 1)) as lead_time_days,
        cast(case
            when by_supplier_sku.receipt_count >= {{ min_receipts }}
                then coalesce(by_supplier_sku.sd_days, {{ default_sd_days }})
            when by_supplier.receipt_count >= {{ min_receipts }}
                then coalesce(by_supplier.sd_days, {{ default_sd_days }})
            else {{ default_sd_days }}
        end as decimal(18, 1)) as lead_time_sd_days
    from skus
    left join latest_supplier
        on skus.sku_id = latest_supplier.sku_id
    left join by_supplier_sku
        on latest_supplier.supplier_name = by_supplier_sku.supplier_name
            and skus.sku_id = by_supplier_sku.sku_id
    left join by_supplier
        on latest_supplier.supplier_name = by_supplier.supplier_name

)

select * from final
