"""Quality gates: Great Expectations suites (in `expectations/`) run as Dagster asset checks."""
