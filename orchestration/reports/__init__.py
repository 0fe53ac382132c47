"""Publishing: the Evidence report (build and serve) and the Dagster assets that produce it."""
