"""Buyer identity where TOP masks the nick: trades fetched from the local TOP gateway land in raw, and
stg_top__trades keys each buyer by the documented fallback (docs/api-sources.md, "Buyer identity"): a readable
buyer_nick, else buyer_open_uid, else OAID, else none; every key is a salted hash, no identifier in clear text."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.ingest.api.datasets import TOP_TRADES
from orchestration.ingest.api.landing import sync
from orchestration.ingest.api.top import TopClient
from orchestration.settings import PROJECT_ROOT
from tests.ingest.api.conftest import top_config
from tests.support.protocol_servers.top_gateway import TopGateway, make_trade

SALT = "buyer-identity-test-salt"
START, UNTIL = dt.datetime(2025, 3, 14), dt.datetime(2025, 3, 15)


def salted(text: str) -> str:
    return hashlib.sha256((SALT + text).encode("utf-8")).hexdigest()


def test_a_trade_with_only_buyer_open_uid_gets_a_customer_key_from_it(
    tmp_path: Path, top_gateway: TopGateway, http
) -> None:
    at = "2025-03-14 10:00:00"
    top_gateway.trades = [
        make_trade(5118609024991031007, at, buyer_open_uid=None),  # nothing that names the buyer
        make_trade(5118609024991031017, at, buyer_nick="tb_reader_01", buyer_open_uid="AAHreader01"),
        make_trade(5118609024991031027, at, buyer_open_uid="AAHonly0002"),  # only buyer_open_uid
        make_trade(5118609024991031037, at, buyer_nick="t**3", buyer_open_uid="AAHmasked03"),
        make_trade(5118609024991031047, at, buyer_nick="t**3", buyer_open_uid=None, oaid="1xOAIDx0004"),
        make_trade(5118609024991031057, at, buyer_nick="t**3", buyer_open_uid=None),  # a masked nick alone
    ]
    warehouse = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        sync(con, TOP_TRADES, "暖居旗舰店", TopClient(top_config(top_gateway), http=http).trades_modified, START, UNTIL)
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--quiet",
            "--select",
            "+stg_top__trades",
            "--resource-type",
            "model",
            "--resource-type",
            "seed",
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(tmp_path / "target"),
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "WAREHOUSE_PATH": str(warehouse),
            "PII_HASH_SALT": SALT,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        keys = dict(
            ((order_id[-3:]), (key, source))
            for order_id, key, source in con.execute(
                "select order_id, customer_key, customer_key_source from staging.stg_top__trades"
            ).fetchall()
        )
        text = str(con.execute("select * from staging.stg_top__trades").fetchall())
    assert keys == {
        "007": (None, None),
        "017": (salted("tb_reader_01"), "buyer_nick"),
        "027": (salted("open_uid:AAHonly0002"), "buyer_open_uid"),
        "037": (salted("open_uid:AAHmasked03"), "buyer_open_uid"),
        "047": (salted("oaid:1xOAIDx0004"), "oaid"),
        "057": (None, None),
    }
    for identifier in ("tb_reader_01", "AAHonly0002", "AAHmasked03", "1xOAIDx0004"):
        assert identifier not in text
