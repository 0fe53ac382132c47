"""The warehouse file Python duckdb writes is one the report's Node DuckDB (`@duckdb/node-api`) opens and reads.

DuckDB's storage format moves between releases (a 2.x file is unreadable by 1.4); the versions are paired in
`pyproject.toml` and `reports/package.json` (tests/structure/test_npm_lock.py), and this opens a real file across
the pair, as Evidence's `sources` step does with `report.duckdb`.
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb

REPORTS_DIR = Path(__file__).resolve().parents[2] / "reports"

READ_WITH_NODE = """
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const instance = await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const version = (await connection.runAndReadAll('select version() as v')).getRowObjects()[0].v;
  const reader = await connection.runAndReadAll(
    'select shop, cast(net_sales as varchar) as net_sales from metrics.sample order by shop');
  console.log(JSON.stringify({ version, rows: reader.getRowObjects() }));
})().catch((error) => { console.error(String(error)); process.exit(1); });
"""


def test_node_api_reads_a_database_file_written_by_python_duckdb(tmp_path: Path) -> None:
    database = tmp_path / "written_by_python.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create schema metrics")
        con.execute("create table metrics.sample (shop varchar, net_sales decimal(18, 2))")
        con.execute("insert into metrics.sample values ('猫小铺官方旗舰店', 1234567.89), ('猫小铺母婴专营店', 0.10)")
        python_version = con.execute("select version()").fetchone()[0]

    result = subprocess.run(
        ["node", "-e", READ_WITH_NODE, str(database)],
        cwd=REPORTS_DIR,  # resolves @duckdb/node-api from reports/node_modules
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["version"] == python_version  # one DuckDB release on both sides
    assert [(row["shop"], Decimal(row["net_sales"])) for row in answer["rows"]] == [
        ("猫小铺官方旗舰店", Decimal("1234567.89")),
        ("猫小铺母婴专营店", Decimal("0.10")),
    ]
