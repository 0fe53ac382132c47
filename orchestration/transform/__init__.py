"""Transform: the dbt project (models/, seeds/, macros/) as Dagster assets through dagster-dbt."""
