"""Dagster asset checks that run the Great Expectations suites. Error severity is blocking."""

import dagster as dg

from orchestration.ingest.assets import raw_asset_key
from orchestration.quality.great_expectations import load_suite_definition, validate_dataframe
from orchestration.resources import WarehouseResource


def gx_table_check(suite_name: str, asset_key: dg.AssetKey, table: str) -> dg.AssetChecksDefinition:
    """A blocking check that validates `table` against the suite `expectations/<suite_name>.json`."""

    @dg.asset_check(
        asset=asset_key,
        name=f"gx_{suite_name}",
        description=f"Great Expectations suite expectations/{suite_name}.json on {table}; error severity blocks.",
        blocking=True,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        definition = load_suite_definition(suite_name)
        with warehouse.connect(read_only=True) as con:
            frame = con.execute(f"select * from {table}").df()
        outcome = validate_dataframe(frame, definition)
        for failure in outcome.failures:
            context.log.error(failure.describe())
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{len(outcome.failures)} of {outcome.expectations_evaluated} expectations failed on "
                f"{outcome.row_count} rows"
                if outcome.failures
                else None
            ),
            metadata={
                "rows_validated": outcome.row_count,
                "expectations_evaluated": outcome.expectations_evaluated,
                "failed_expectations": dg.MetadataValue.md(
                    "\n".join(f"- {f.describe()}" for f in outcome.failures) or "none"
                ),
            },
        )

    return _check


raw_tmall_orders_gate = gx_table_check("raw_tmall_orders", raw_asset_key("tmall_orders"), "raw.tmall_orders")

GX_CHECKS = [raw_tmall_orders_gate]
