"""The dbt project builds on Spark (dbt-spark's `session` method, a local pyspark session): every seed, model and
data test of `dbt build`, on a small generated data set, and the key marts have the rows the DuckDB build gives.

The raw tables come from the real ingest into a small DuckDB warehouse, exported to Parquet
(`orchestration.transform.spark_raw`) and registered in Spark's database `raw` by the dbt operation
`register_raw_tables_on_spark`. Needs Java 17 (`make install-java`); no network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import PROJECT_ROOT

pytestmark = [pytest.mark.spark, pytest.mark.timeout(900)]

KEY_MARTS = [
    "fct_orders",
    "fct_order_lines",
    "dim_customers",
    "dim_products",
    "fct_order_reconciliation",
    "fct_order_fulfilment",
    "customer_rfm",
]
# Figures that depend on the dialect-specific parts (money parsing, hashing of personal data, discount allocation,
# ordered text aggregation): equal on both engines when the macros agree.
KEY_FIGURES = {
    "paid and net amount": "select sum(paid_amount), sum(net_amount) from marts.fct_orders",
    "line revenue": "select sum(line_revenue), count(distinct product_key) from marts.fct_order_lines",
    "customer keys": (
        "select count(distinct customer_key), min(customer_key), max(customer_key) from marts.dim_customers"
    ),
    "item titles": "select max(item_titles), min(item_titles) from intermediate.int_tmall_orders_unioned",
}
# Saved queries belong to the metric layer, which is DuckDB-only. The unit tests (`unit_tests:` in YAML) pass on
# Spark too (`dbt test --target spark --resource-type unit_test`, about 2 minutes here), but they would push this
# test well past 6 minutes; they run in every DuckDB `dbt build` (the pipeline, tests/e2e).
# saved queries and exposures are documentation nodes here (dbt reports them as NO-OP); unit tests run on DuckDB.
# The models after the demand forecasts (source `forecast`: the forecast asset writes it in DuckDB) stay DuckDB-only,
# like the metric tables; fct_sku_daily_demand and supplier_lead_times, before the forecasts, build on Spark.
SPARK_EXCLUDE = ["resource_type:saved_query", "resource_type:exposure", "resource_type:unit_test", "source:forecast+"]


@dataclass
class DuckdbBuild:
    root: Path
    warehouse: Path
    target_path: Path
    counts: dict[str, int]
    figures: dict[str, tuple]


@dataclass
class SparkBuild:
    results: object
    counts: dict[str, int]
    figures: dict[str, tuple]


def _dbt(args: list[str]) -> object:
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke([*args, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)])


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("spark_build")
    saved = {k: os.environ.get(k) for k in ("WAREHOUSE_PATH", "SPARK_DIR")}
    os.environ["WAREHOUSE_PATH"] = str(root / "analytics.duckdb")
    os.environ["SPARK_DIR"] = str(root / "spark")
    try:
        yield root
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def duckdb_build(environment: Path) -> DuckdbBuild:
    """A small demo data set through the real ingest, and `dbt build` on DuckDB."""
    from orchestration.demo_data import DemoConfig, generate
    from orchestration.ingest.loader import ingest_landing

    root = environment
    generate(root / "landing", DemoConfig(orders=600, skus=40, days=90))
    warehouse = root / "analytics.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ingest_landing(con, root / "landing")
    target_path = root / "target_duckdb"
    # in a child process, so that its DuckDB connection is closed when the test reads the warehouse
    dbt = Path(sys.executable).with_name("dbt")
    build = subprocess.run(
        [str(dbt), "build", "--target-path", str(target_path), "--project-dir", str(PROJECT_ROOT)]
        + ["--profiles-dir", str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, f"the DuckDB build of the same data failed:\n{build.stdout[-4000:]}"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in KEY_MARTS}
        figures = {name: tuple(con.execute(sql).fetchone()) for name, sql in KEY_FIGURES.items()}
    return DuckdbBuild(root=root, warehouse=warehouse, target_path=target_path, counts=counts, figures=figures)


@pytest.fixture(scope="module")
def spark_build(duckdb_build: DuckdbBuild) -> SparkBuild:
    """The same raw tables on Spark (dbt never writes to `raw`), and `dbt build` there."""
    if shutil.which("java") is None:
        pytest.fail("Java 17 is needed for the Spark target (pyspark starts a JVM): run `make install-java`")
    from orchestration.transform.spark_raw import export_raw_to_parquet

    root = duckdb_build.root
    export_raw_to_parquet(duckdb_build.warehouse, root / "raw_parquet")
    spark_target = ["--target", "spark", "--target-path", str(root / "target_spark")]
    operation = ["run-operation", "register_raw_tables_on_spark", "--args", f"{{parquet_dir: {root / 'raw_parquet'}}}"]
    assert _dbt(operation + spark_target).success, "registering the raw Parquet tables on Spark failed"
    results = _dbt(["build", *spark_target, "--exclude", *SPARK_EXCLUDE])

    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    assert session is not None, "dbt-spark's session should still be active in this process"
    counts = {m: session.sql(f"select count(*) from marts.{m}").collect()[0][0] for m in KEY_MARTS}
    figures = {name: tuple(session.sql(sql).collect()[0]) for name, sql in KEY_FIGURES.items()}
    return SparkBuild(results=results, counts=counts, figures=figures)


def test_dbt_build_succeeds_on_spark(spark_build: SparkBuild) -> None:
    failed = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in spark_build.results.result
        if str(r.status) not in ("success", "pass")
    ]
    assert spark_build.results.success and not failed, "\n".join(failed)


def test_seeds_models_and_data_tests_all_ran_on_spark(spark_build: SparkBuild) -> None:
    kinds = {str(r.node.resource_type) for r in spark_build.results.result}
    assert {"seed", "model", "test"} <= kinds


def test_key_marts_have_the_rows_the_duckdb_build_gives(duckdb_build: DuckdbBuild, spark_build: SparkBuild) -> None:
    assert spark_build.counts == duckdb_build.counts
    assert all(count > 0 for count in spark_build.counts.values())


def test_money_hashes_and_texts_agree_with_the_duckdb_build(duckdb_build: DuckdbBuild, spark_build: SparkBuild) -> None:
    assert spark_build.figures == duckdb_build.figures


def test_union_branches_list_the_same_columns_in_the_same_order(duckdb_build: DuckdbBuild) -> None:
    """`union_all_by_name()` is positional on Spark: every model using it must give both branches one column order."""
    compiled = duckdb_build.target_path / "compiled" / "tmall_analytics" / "models"
    checked = 0
    with duckdb.connect(str(duckdb_build.warehouse), read_only=True) as con:
        for path in sorted(compiled.rglob("*.sql")):
            sql = path.read_text()
            if "union all by name" not in sql:
                continue
            prefix, name, branches = _split_union(sql)
            columns = [
                [d[0] for d in con.execute(f"{prefix}{name} as ({branch}) select * from {name}").description]
                for branch in branches
            ]
            assert all(c == columns[0] for c in columns), f"{path.stem}: branches differ:\n{columns}"
            checked += 1
    assert checked >= 7


def _split_union(sql: str) -> tuple[str, str, list[str]]:
    """The SQL before the CTE holding the first `union all by name`, the CTE's name, and its branches."""
    at = sql.index("union all by name")
    cte = list(re.finditer(r"(\w+) as \(", sql[:at]))[-1]
    depth = 0
    for end in range(cte.end() - 1, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            break
    return sql[: cte.start()], cte.group(1), sql[cte.end() : end].split("union all by name")
