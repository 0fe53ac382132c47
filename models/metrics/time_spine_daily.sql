{#-
    The daily time spine MetricFlow requires (declared with `time_spine:` in time_spine_daily.yml).
    Covers var('time_spine_start_date') to var('time_spine_end_date'), generously around the data.
-#}

with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('time_spine_start_date') ~ "' as date)",
        "cast('" ~ var('time_spine_end_date') ~ "' as date)"
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
