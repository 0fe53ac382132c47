"""Bad landing files: each gets a clear error or quarantined rows with their reason, and nothing is lost.

Every test that loads something checks the accounting of every file in `raw.ingest_log`: rows in = rows loaded +
rows quarantined, and those numbers are what the raw table and `raw.quarantine` actually hold for the batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import orchestration.ingest.loader as loader
from orchestration.ingest.loader import LandingError, ingest_landing
from tests.ingest.test_landing_loader import ORDER_HEADER, order_row, write_csv

ROOT = Path(__file__).resolve().parents[2]
GOOD_ID = "5118609024991031607"
CUT = "the file ends mid-row (a truncated export): "


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def ids(start: int, count: int) -> list[str]:
    return [str(int(GOOD_ID) + i) for i in range(start, start + count)]


def assert_every_file_accounted_for(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """rows in = loaded + quarantined + held back for every logged file, and the tables hold exactly those rows.

    Files that were not loaded (and opened archives) are logged with 0 rows and a reason."""
    logged = con.execute(
        "select batch_id, dataset, source_file, status, rows_in, rows_loaded, rows_quarantined, rows_held_back, reason "
        "from raw.ingest_log"
    ).fetchall()
    assert logged, "nothing was logged"
    for batch_id, dataset, source_file, status, rows_in, loaded, quarantined, held, reason in logged:
        assert rows_in == loaded + quarantined + held, source_file
        if status in ("not_loaded", "archive"):
            assert (rows_in, bool(reason)) == (0, True), source_file
            continue
        in_table = con.execute(f"select count(*) from raw.{dataset} where _batch_id = ?", [batch_id]).fetchone()[0]
        in_quarantine = con.execute("select count(*) from raw.quarantine where _batch_id = ?", [batch_id]).fetchone()
        in_held = con.execute("select count(*) from raw.held_back where _batch_id = ?", [batch_id]).fetchone()
        assert (in_table, in_quarantine[0], in_held[0]) == (loaded, quarantined, held), (source_file, status)
    return logged


def quarantine(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    return dict(con.execute("select _source_row_number, reason from raw.quarantine order by 1").fetchall())


def loaded_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return con.execute("select _source_row_number, order_id from raw.tmall_orders order by 1").fetchall()


# --- truncated files ----------------------------------------------------------------------------------------------


def test_a_file_cut_mid_row_quarantines_the_cut_row_and_loads_the_rest(tmp_path: Path, con) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 3)])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"2025-03-14 10:23:45")])  # the last row stops before 订单创建时间

    report = ingest_landing(con, tmp_path)

    assert report.totals("tmall_orders")["rows_in"] == 3
    assert [row for row, _ in loaded_rows(con)] == [1, 2]
    assert quarantine(con) == {3: CUT + "expected 12 fields as in the header, found 9"}  # the 9th is empty
    assert con.execute("select truncated from raw.ingest_log").fetchone() == (
        "its last record (row 3) has no line ending and expected 12 fields as in the header, found 9",
    )
    assert report.files[0].truncated
    assert_every_file_accounted_for(con)


def test_a_file_cut_inside_a_multibyte_character_quarantines_that_row(tmp_path: Path, con) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 3)])
    data = path.read_bytes()
    # the last field of the last row is 无退款申请; cut after the first byte of its last character
    cut = data.rindex("请".encode("gbk")) + 1
    path.write_bytes(data[:cut])

    ingest_landing(con, tmp_path)

    assert [row for row, _ in loaded_rows(con)] == [1, 2]
    reasons = quarantine(con)
    assert list(reasons) == [3]
    assert reasons[3] == CUT + "bytes that are not valid gb18030"
    assert con.execute("select truncated from raw.ingest_log").fetchone() == (
        "its last record (row 3) has no line ending and bytes that are not valid gb18030",
    )
    record = con.execute("select raw_record from raw.quarantine").fetchone()[0]
    assert "无退款申\ufffd" in record  # shown with the replacement character, the rest of the row intact
    assert_every_file_accounted_for(con)


def test_a_file_cut_inside_a_multibyte_character_mid_row(tmp_path: Path, con) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 2)])
    data = path.read_bytes()
    cut = data.rindex("暖".encode("gbk")) + 1  # inside 店铺名称, with fields still missing after it
    path.write_bytes(data[:cut])

    ingest_landing(con, tmp_path)

    assert quarantine(con) == {2: CUT + "bytes that are not valid gb18030"}
    assert con.execute("select truncated is not null from raw.ingest_log").fetchone() == (True,)
    assert_every_file_accounted_for(con)


# --- invalid bytes ------------------------------------------------------------------------------------------------


def test_invalid_gbk_bytes_quarantine_only_their_rows(tmp_path: Path, con) -> None:
    path = tmp_path / "orders.csv"
    lines = [",".join(ORDER_HEADER).encode("gbk")]
    for number, order_id in enumerate(ids(0, 5), start=1):
        line = ",".join(order_row(order_id)).encode("gbk")
        if number in (2, 4):
            line = line.replace("暖".encode("gbk"), b"\xff\x30")  # 0xFF never starts a GBK/GB18030 character
        lines.append(line)
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")

    report = ingest_landing(con, tmp_path)

    assert report.files[0].encoding == "gb18030"
    assert [row for row, _ in loaded_rows(con)] == [1, 3, 5]
    assert quarantine(con) == {2: "bytes that are not valid gb18030", 4: "bytes that are not valid gb18030"}
    assert_every_file_accounted_for(con)


def test_a_header_with_invalid_bytes_is_listed_as_not_loaded_with_that_reason(tmp_path: Path, con) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(GOOD_ID)])
    data = path.read_bytes()
    path.write_bytes(data.replace("店铺名称".encode("gbk"), b"\xff\xff", 1))

    with pytest.raises(LandingError, match=r"'orders\.csv': the header row has bytes that are not valid gb18030"):
        ingest_landing(con, tmp_path)  # the only file: nothing can load, and the error says why
    assert con.execute("select status, reason from raw.ingest_log").fetchall() == [
        ("not_loaded", "the header row has bytes that are not valid gb18030")
    ]


# --- duplicate deliveries -----------------------------------------------------------------------------------------


def test_the_same_bytes_again_under_another_name_are_logged_as_a_duplicate_not_loaded(tmp_path: Path, con) -> None:
    write_csv(tmp_path / "ExportOrderList202503140000.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 3)])
    ingest_landing(con, tmp_path)
    (tmp_path / "resent").mkdir()
    (tmp_path / "resent" / "订单报表(1).csv").write_bytes((tmp_path / "ExportOrderList202503140000.csv").read_bytes())

    report = ingest_landing(con, tmp_path)

    assert sorted(f.status for f in report.files) == ["already_loaded", "duplicate"]
    assert con.execute("select count(*) from raw.tmall_orders").fetchone()[0] == 3
    logged = assert_every_file_accounted_for(con)
    duplicate = [row for row in logged if row[3] == "duplicate"]
    assert [(row[2], row[4:7]) for row in duplicate] == [("resent/订单报表(1).csv", (0, 0, 0))]


def test_the_same_rows_in_a_new_export_are_kept_as_history_in_raw(tmp_path: Path, con) -> None:
    """Other bytes (a later export overlapping the first): raw keeps both versions, staging picks the latest."""
    write_csv(tmp_path / "ExportOrderList202503140000.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 2)])
    later = [order_row(i, status="交易成功") for i in ids(0, 2)] + [order_row(ids(2, 1)[0])]
    later[0][6] = "交易关闭"
    write_csv(tmp_path / "ExportOrderList202503150000.csv", ORDER_HEADER, later)

    report = ingest_landing(con, tmp_path)

    assert [f.status for f in report.files] == ["loaded", "loaded"]
    history = con.execute(
        "select order_id, count(*), count(distinct _batch_id) from raw.tmall_orders group by 1 order by 1"
    ).fetchall()
    assert history == [(ids(0, 1)[0], 2, 2), (ids(1, 1)[0], 2, 2), (ids(2, 1)[0], 1, 1)]
    # the ordering staging uses (macro latest_delivery_first) makes the later export the current version
    current = con.execute(
        "select order_status from raw.tmall_orders where order_id = ? "
        "order by _loaded_at desc, _batch_id desc, _source_row_number desc limit 1",
        [ids(0, 1)[0]],
    ).fetchone()
    assert current == ("交易关闭",)
    assert_every_file_accounted_for(con)


# --- values the checks refuse -------------------------------------------------------------------------------------


def raw_gate_errors(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, str]:
    """The blocking Great Expectations gate the pipeline runs on a raw table: failed expectation -> its message."""
    from orchestration.quality.checks import RAW_GATES, suite_columns
    from orchestration.quality.great_expectations import load_suite_definition, validate_dataframe

    gate = next(g for g in RAW_GATES if g.dataset == dataset)
    definition = load_suite_definition(gate.suite)
    outcome = validate_dataframe(con.execute(gate.query(suite_columns(definition))).df(), definition)
    return {f"{f.expectation} on {f.column}": f.describe() for f in outcome.failures if f.severity == "error"}


def test_an_unknown_order_status_loads_and_fails_the_raw_gate_naming_file_and_row(tmp_path: Path, con) -> None:
    """Values that parse but break a rule are not quarantined at ingest: the raw gate (vocabulary from the seed
    tmall_order_status_map) fails, which blocks everything downstream until a corrected export arrives."""
    rows = [order_row(ids(0, 1)[0]), order_row(ids(1, 1)[0], status="交易暂停"), order_row(ids(2, 1)[0])]
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)

    report = ingest_landing(con, tmp_path)

    assert report.totals("tmall_orders")["rows_loaded"] == 3
    assert_every_file_accounted_for(con)
    errors = raw_gate_errors(con, "tmall_orders")
    assert list(errors) == ["expect_column_values_to_be_in_set on order_status"]
    message = errors["expect_column_values_to_be_in_set on order_status"]
    assert "1 of 3 rows" in message
    assert "_source_file=orders.csv" in message
    assert "_source_row_number=2" in message


def test_a_negative_amount_loads_and_fails_the_raw_gate_naming_file_and_row(tmp_path: Path, con) -> None:
    rows = [order_row(ids(0, 1)[0]), order_row(ids(1, 1)[0]), order_row(ids(2, 1)[0])]
    rows[2][ORDER_HEADER.index("总金额")] = "-128.00"
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)

    report = ingest_landing(con, tmp_path)

    assert report.totals("tmall_orders")["rows_loaded"] == 3
    assert_every_file_accounted_for(con)
    errors = raw_gate_errors(con, "tmall_orders")
    assert list(errors) == ["expect_column_values_to_match_regex on total_amount"]
    assert "_source_row_number=3" in errors["expect_column_values_to_match_regex on total_amount"]


def test_a_mangled_id_and_a_missing_id_are_quarantined(tmp_path: Path, con) -> None:
    rows = [order_row("5.11861E+18"), order_row(""), order_row("51186090249910316O7"), order_row(GOOD_ID)]
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)

    ingest_landing(con, tmp_path)

    reasons = quarantine(con)
    assert reasons[1].startswith("订单编号 '5.11861E+18' was turned into scientific notation by Excel")
    assert reasons[2] == "missing 订单编号 (order_id)"
    assert reasons[3] == "订单编号 '51186090249910316O7' is not a numeric id"
    assert loaded_rows(con) == [(4, GOOD_ID)]
    assert_every_file_accounted_for(con)


# --- schema drift -------------------------------------------------------------------------------------------------


def test_a_missing_required_column_is_listed_naming_the_column_and_the_rest_loads(tmp_path: Path, con) -> None:
    header = [h for h in ORDER_HEADER if h != "订单创建时间"]
    row = order_row(GOOD_ID)
    del row[ORDER_HEADER.index("订单创建时间")]
    write_csv(tmp_path / "good.csv", ORDER_HEADER, [order_row(GOOD_ID)])
    write_csv(tmp_path / "drifted.csv", header, [row])

    ingest_landing(con, tmp_path)

    logged = dict(con.execute("select source_file, status from raw.ingest_log").fetchall())
    assert logged == {"drifted.csv": "not_loaded", "good.csv": "loaded"}
    (reason,) = con.execute("select reason from raw.ingest_log where source_file = 'drifted.csv'").fetchone()
    assert "lacks the required column(s) 订单创建时间" in reason
    assert loaded_rows(con) == [(1, GOOD_ID)]


def test_an_extra_unknown_column_is_ignored_and_logged(tmp_path: Path, con) -> None:
    header = [*ORDER_HEADER[:3], "直播间名称", *ORDER_HEADER[3:]]
    row = order_row(GOOD_ID)
    row = [*row[:3], "双11专场", *row[3:]]
    write_csv(tmp_path / "orders.csv", header, [row])

    ingest_landing(con, tmp_path)

    assert con.execute("select order_id, goods_amount, post_fee from raw.tmall_orders").fetchone() == (
        GOOD_ID,
        "128.00",
        "0.00",
    )
    assert con.execute("select ignored_headers from raw.ingest_log").fetchone() == ('["直播间名称"]',)
    assert_every_file_accounted_for(con)


def test_a_moved_column_loads_by_its_header(tmp_path: Path, con) -> None:
    order = [ORDER_HEADER.index(h) for h in ORDER_HEADER]
    order.insert(0, order.pop(ORDER_HEADER.index("订单状态")))  # 订单状态 first
    write_csv(
        tmp_path / "orders.csv",
        [ORDER_HEADER[i] for i in order],
        [[order_row(GOOD_ID, status="交易关闭")[i] for i in order]],
    )

    ingest_landing(con, tmp_path)

    assert con.execute("select order_id, order_status, total_amount from raw.tmall_orders").fetchone() == (
        GOOD_ID,
        "交易关闭",
        "128.00",
    )
    assert_every_file_accounted_for(con)


# --- empty files --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "the file is empty (0 bytes)"), (b"\r\n \r\n", "the file is empty")],
    ids=["zero-bytes", "blank-lines"],
)
def test_an_empty_file_is_listed_as_not_loaded_and_the_rest_loads(
    tmp_path: Path, con, content: bytes, reason: str
) -> None:
    write_csv(tmp_path / "good.csv", ORDER_HEADER, [order_row(GOOD_ID)])
    (tmp_path / "empty.csv").write_bytes(content)

    report = ingest_landing(con, tmp_path)

    assert [(f.source_file, f.status, f.reason) for f in report.not_loaded()] == [("empty.csv", "not_loaded", reason)]
    assert con.execute(
        "select status, reason, rows_in from raw.ingest_log where source_file = 'empty.csv'"
    ).fetchall() == [("not_loaded", reason, 0)]
    assert loaded_rows(con) == [(1, GOOD_ID)]


def test_a_header_only_file_loads_as_zero_rows(tmp_path: Path, con) -> None:
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [])

    report = ingest_landing(con, tmp_path)

    assert [(f.status, f.rows_in, f.rows_loaded, f.rows_quarantined) for f in report.files] == [("loaded", 0, 0, 0)]
    assert_every_file_accounted_for(con)


# --- record numbers -----------------------------------------------------------------------------------------------


def test_row_numbers_count_records_across_quoted_newlines_blank_lines_and_refused_records(tmp_path: Path, con) -> None:
    multiline = order_row(ids(0, 1)[0])
    multiline[7] = '"江苏省 南京市\r\n建邺区 沙洲街道****"'  # a quoted field holding a line break
    trailing_commas = ",".join(order_row(ids(4, 1)[0])) + ",,"  # harmless empty extra fields
    lines = [
        ",".join(ORDER_HEADER),
        ",".join(multiline),  # record 1
        "",  # an empty line is not a record
        ",".join(order_row(ids(1, 1)[0])),  # record 2
        ",".join(order_row("5.11861E+18")),  # record 3: quarantined by the id check
        ",".join(order_row(ids(2, 1)[0])[:7]),  # record 4: refused by the reader (7 fields)
        "",
        ",".join(order_row(ids(3, 1)[0])),  # record 5
        trailing_commas,  # record 6
        ",".join(order_row(ids(5, 1)[0])) + ',"x"',  # record 7: an extra non-empty field
        ",".join(order_row(ids(6, 1)[0])),  # record 8
    ]
    (tmp_path / "orders.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))

    ingest_landing(con, tmp_path)

    assert loaded_rows(con) == [
        (1, ids(0, 1)[0]),
        (2, ids(1, 1)[0]),
        (5, ids(3, 1)[0]),
        (6, ids(4, 1)[0]),
        (8, ids(6, 1)[0]),
    ]
    reasons = quarantine(con)
    assert list(reasons) == [3, 4, 7]
    assert "scientific notation" in reasons[3]
    assert reasons[4] == "expected 12 fields as in the header, found 7"
    assert reasons[7] == "expected 12 fields as in the header, found 13"
    address = con.execute("select receiver_address from raw.tmall_orders where _source_row_number = 1").fetchone()
    assert address == ("江苏省 南京市\r\n建邺区 沙洲街道****",)
    assert_every_file_accounted_for(con)


def test_an_unterminated_quote_quarantines_the_rest_of_the_file_as_one_record(tmp_path: Path, con) -> None:
    broken = order_row(ids(1, 1)[0])
    broken[1] = '"tb_buyer_1'
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(ids(0, 1)[0]), broken, order_row(ids(2, 1)[0])])

    ingest_landing(con, tmp_path)

    assert [row for row, _ in loaded_rows(con)] == [1]
    reasons = quarantine(con)
    assert list(reasons) == [2]
    assert reasons[2].startswith("not valid CSV")
    assert_every_file_accounted_for(con)


# --- a load that dies half-way ------------------------------------------------------------------------------------


def test_a_load_failing_after_its_rows_were_inserted_leaves_nothing_and_the_rerun_completes(
    tmp_path: Path, con, monkeypatch
) -> None:
    write_csv(tmp_path / "a.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 2)])
    write_csv(tmp_path / "b.csv", ORDER_HEADER, [order_row(i) for i in ids(10, 40)] + [order_row("5.11861E+18")])
    real_move = loader._move_quarantined_rows
    seen: list[int] = []

    def die_after_insert(load):
        seen.append(con.execute("select count(*) from raw.tmall_orders").fetchone()[0])
        if load.plan.relative == "b.csv":
            raise KeyboardInterrupt("killed mid-load")
        return real_move(load)

    monkeypatch.setattr(loader, "_move_quarantined_rows", die_after_insert)
    with pytest.raises(KeyboardInterrupt):
        ingest_landing(con, tmp_path)

    assert seen == [2, 2 + 41]  # b.csv's rows were in the table, inside its transaction, when it died
    assert con.execute("select _source_file, count(*) from raw.tmall_orders group by 1").fetchall() == [("a.csv", 2)]
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
    assert con.execute("select source_file from raw.ingest_log").fetchall() == [("a.csv",)]

    monkeypatch.setattr(loader, "_move_quarantined_rows", real_move)
    rerun = ingest_landing(con, tmp_path)

    assert [(f.source_file, f.status) for f in rerun.files] == [("a.csv", "already_loaded"), ("b.csv", "loaded")]
    assert con.execute("select count(*) from raw.tmall_orders").fetchone()[0] == 42
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 1
    assert_every_file_accounted_for(con)


def test_a_killed_ingest_process_leaves_no_partial_batch_and_the_rerun_completes(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_csv(landing / "a.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 5)])
    write_csv(landing / "b.csv", ORDER_HEADER, [order_row(i) for i in ids(100, 2000)])
    warehouse = tmp_path / "warehouse.duckdb"
    # the child loads a.csv, then stops inside b.csv's transaction once its rows are inserted, says so, and waits
    child = textwrap.dedent(
        f"""
        import sys, time, duckdb
        from pathlib import Path
        import orchestration.ingest.loader as loader
        real = loader._move_quarantined_rows
        def pause(load):
            if load.plan.relative == "b.csv":
                print("inserted", flush=True)
                time.sleep(120)
            return real(load)
        loader._move_quarantined_rows = pause
        loader.ingest_landing(duckdb.connect({str(warehouse)!r}), Path({str(landing)!r}))
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", child], cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "inserted"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select _source_file, count(*) from raw.tmall_orders group by 1").fetchall() == [
            ("a.csv", 5)
        ]
        assert con.execute("select source_file from raw.ingest_log").fetchall() == [("a.csv",)]
        rerun = ingest_landing(con, landing)
        assert [(f.source_file, f.status) for f in rerun.files] == [("a.csv", "already_loaded"), ("b.csv", "loaded")]
        assert con.execute("select count(*) from raw.tmall_orders").fetchone()[0] == 2005
        assert_every_file_accounted_for(con)
