"""Every file in the landing folder is accounted for, whatever it is (issues 16 and 17).

Legacy `.xls` exports (and `.xls` files that are really HTML or tab-separated text), UTF-16 "Unicode text", `.zip`
archives with folders inside, files that are no export at all; UTF-8 text inside a GBK export; a cell of 1 MB.
Each ends loaded, quarantined with its reason, or listed as not loaded with its reason, and the accounting of
`raw.ingest_log` balances (`assert_every_file_accounted_for`). Small files, an in-memory DuckDB: cheap.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.loader import ingest_landing
from orchestration.ingest.summary import landing_summary
from tests.ingest.test_bad_inputs import GOOD_ID, assert_every_file_accounted_for, ids, loaded_rows, quarantine
from tests.ingest.test_landing_loader import ORDER_HEADER, order_row, write_csv


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    yield connection
    connection.close()


def text_export(rows: list[list[str]], delimiter: str = ",", line_end: str = "\r\n") -> str:
    return line_end.join(delimiter.join(r) for r in [ORDER_HEADER, *rows]) + line_end


def logged(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return {
        file: (status, reason)
        for file, status, reason in con.execute("select source_file, status, reason from raw.ingest_log").fetchall()
    }


# --- file types ---------------------------------------------------------------------------------------------------


def test_a_real_legacy_xls_workbook_loads_with_its_cells_as_text(tmp_path: Path, con) -> None:
    fixture = Path(__file__).with_name("fixtures") / "legacy_order_report.xls"  # BIFF8, see make_legacy_xls.py
    (tmp_path / "ExportOrderList202503150000.xls").write_bytes(fixture.read_bytes())

    report = ingest_landing(con, tmp_path)

    assert [(f.status, f.encoding, f.rows_in, f.rows_loaded) for f in report.files] == [("loaded", "xls", 3, 3)]
    assert con.execute(
        "select order_id, total_amount, order_status, created_at from raw.tmall_orders order by _source_row_number"
    ).fetchall() == [
        ("5118609024991031607", "128", "交易成功", "2025-03-14 10:23:45"),
        ("5118609024991031608", "59.9", "交易关闭", "2025-03-14 11:00:00"),
        ("5118609024991031609", "1234.5", "卖家已发货，等待买家确认", "2025-03-15 09:05:01"),
    ]
    assert_every_file_accounted_for(con)


def test_an_xls_that_is_really_html_loads_its_table(tmp_path: Path, con) -> None:
    cells = lambda row, tag: "".join(f"<{tag}>{c}</{tag}>" for c in row)  # noqa: E731
    rows = [order_row(i) for i in ids(0, 2)]
    rows[1][7] = "江苏省 南京市 &amp; 建邺区"  # an HTML entity in a cell
    html = (
        '<html><head><meta charset="gbk"></head><body><table border="1">'
        f"<tr>{cells(ORDER_HEADER, 'th')}</tr>" + "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows) + "</table>"
        "<table><tr><td>合计</td></tr></table></body></html>"
    )
    (tmp_path / "ExportOrderList202503140000.xls").write_bytes(html.encode("gbk"))

    report = ingest_landing(con, tmp_path)

    assert [(f.status, f.encoding, f.rows_in, f.rows_loaded) for f in report.files] == [
        ("loaded", "html:gb18030", 2, 2)
    ]
    assert [order_id for _, order_id in loaded_rows(con)] == ids(0, 2)
    assert con.execute("select receiver_address from raw.tmall_orders where _source_row_number = 2").fetchone() == (
        "江苏省 南京市 & 建邺区",
    )
    assert_every_file_accounted_for(con)


def test_an_xls_that_is_really_tab_separated_gbk_text_loads(tmp_path: Path, con) -> None:
    (tmp_path / "orders.xls").write_bytes(text_export([order_row(i) for i in ids(0, 3)], "\t").encode("gbk"))

    report = ingest_landing(con, tmp_path)

    assert [(f.status, f.encoding, f.rows_loaded) for f in report.files] == [("loaded", "gb18030", 3)]
    assert con.execute("select count(distinct shop_name) from raw.tmall_orders").fetchone() == (1,)
    assert_every_file_accounted_for(con)


def test_an_xls_that_is_really_an_xlsx_workbook_loads_with_calamine(tmp_path: Path, con) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(ORDER_HEADER)
    for order_id in ids(0, 2):
        workbook.active.append([order_id, *order_row(order_id)[1:]])
    workbook.save(tmp_path / "orders.xls")

    report = ingest_landing(con, tmp_path)

    assert [(f.status, f.encoding, f.rows_loaded) for f in report.files] == [("loaded", "xls", 2)]
    assert [order_id for _, order_id in loaded_rows(con)] == ids(0, 2)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"], ids=["bom", "le-no-bom", "be-no-bom"])
def test_a_utf16_unicode_text_file_loads_and_is_never_called_gb18030(tmp_path: Path, con, encoding: str) -> None:
    # Excel's "Unicode text" save: UTF-16 little-endian with a BOM, tab-separated, CRLF (other tools drop the BOM)
    (tmp_path / "orders.txt").write_bytes(text_export([order_row(i) for i in ids(0, 3)], "\t").encode(encoding))

    report = ingest_landing(con, tmp_path)

    assert [(f.status, f.encoding, f.rows_in, f.rows_loaded) for f in report.files] == [("loaded", encoding, 3, 3)]
    assert [order_id for _, order_id in loaded_rows(con)] == ids(0, 3)
    assert con.execute("select distinct shop_name from raw.tmall_orders").fetchall() == [("暖居旗舰店",)]
    assert not con.execute("select * from raw.quarantine").fetchall()
    assert_every_file_accounted_for(con)


def test_a_zip_with_a_nested_folder_and_a_non_export_loads_the_exports_and_lists_the_rest(tmp_path: Path, con) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    with zipfile.ZipFile(landing / "exports.zip", "w") as archive:
        archive.writestr(
            "2025-03/ExportOrderList202503140000.csv", text_export([order_row(i) for i in ids(0, 2)]).encode("gbk")
        )
        archive.writestr("2025-03/more/orders-2.csv", text_export([order_row(i) for i in ids(2, 1)]).encode("gbk"))
        archive.writestr("说明.pdf", b"%PDF-1.4 not an export")
        archive.writestr("__MACOSX/2025-03/._ExportOrderList202503140000.csv", b"\x00\x05\x16\x07")

    report = ingest_landing(con, landing)

    assert logged(con) == {
        "exports.zip": ("archive", "archive of 3 file(s)"),
        "exports.zip/2025-03/ExportOrderList202503140000.csv": ("loaded", None),
        "exports.zip/2025-03/more/orders-2.csv": ("loaded", None),
        "exports.zip/说明.pdf": (
            "not_loaded",
            "not an export file type (.pdf): only .csv, .txt, .tsv, .xls, .xlsx, .zip files are read",
        ),
    }
    assert sorted(order_id for _, order_id in loaded_rows(con)) == ids(0, 3)
    assert con.execute("select distinct _source_file from raw.tmall_orders order by 1").fetchall() == [
        ("exports.zip/2025-03/ExportOrderList202503140000.csv",),
        ("exports.zip/2025-03/more/orders-2.csv",),
    ]
    assert_every_file_accounted_for(con)
    assert report.totals("tmall_orders")["rows_loaded"] == 3

    again = ingest_landing(con, landing)  # the same archive again: nothing loads twice

    assert sorted(f.status for f in again.files if f.dataset == "tmall_orders") == ["already_loaded"] * 2
    assert con.execute("select count(*) from raw.tmall_orders").fetchone() == (3,)


def test_an_unknown_file_is_listed_with_its_reason_and_does_not_stop_the_first_run(tmp_path: Path, con) -> None:
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(GOOD_ID)])
    (tmp_path / "对账说明.docx").write_bytes(b"PK\x03\x04 a word document")

    report = ingest_landing(con, tmp_path)

    assert loaded_rows(con) == [(1, GOOD_ID)]
    assert [(f.source_file, f.status) for f in report.not_loaded()] == [("对账说明.docx", "not_loaded")]
    assert logged(con)["对账说明.docx"] == (
        "not_loaded",
        "not an export file type (.docx): only .csv, .txt, .tsv, .xls, .xlsx, .zip files are read",
    )
    summary = "\n".join(landing_summary(con))
    assert "Files not loaded:\n  '对账说明.docx': not an export file type (.docx)" in summary
    assert_every_file_accounted_for(con)


# --- encodings ----------------------------------------------------------------------------------------------------


def test_a_utf8_cell_that_decodes_as_gb18030_is_quarantined_as_mixed_encodings(tmp_path: Path, con) -> None:
    rows = [order_row(i) for i in ids(0, 3)]
    lines = [text_export(rows[:1]).encode("gbk")]
    mixed = ",".join(rows[1]).encode("gbk").replace(b"tb_buyer_1", "张伟".encode())  # 张伟 in UTF-8 is 寮犱紵
    lines += [mixed + b"\r\n", (",".join(rows[2]) + "\r\n").encode("gbk")]
    (tmp_path / "orders.csv").write_bytes(b"".join(lines))

    report = ingest_landing(con, tmp_path)

    assert report.files[0].encoding == "gb18030"
    assert [row for row, _ in loaded_rows(con)] == [1, 3]
    assert quarantine(con) == {
        2: "买家会员名 '寮犱紵' is UTF-8 text in a gb18030 file (it reads '张伟'): "
        "the file mixes encodings; re-export it"
    }
    (record,) = con.execute("select raw_record from raw.quarantine").fetchone()
    assert '"买家会员名":"寮犱紵"' in record.replace(" ", "")  # the cell as read, without the internal marker
    assert_every_file_accounted_for(con)


def test_real_gbk_text_is_not_mistaken_for_utf8(tmp_path: Path, con) -> None:
    # GBK names and titles whose bytes hold runs that look like UTF-8 CJK at some offset must load untouched
    names = ["王芳", "李娜", "税樱图", "压萍态", "员趴侄", "杭州市西湖区文三路"]
    rows = []
    for name, order_id in zip(names, ids(0, len(names)), strict=True):
        row = order_row(order_id)
        row[1] = name
        rows.append(row)
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)

    ingest_landing(con, tmp_path)

    assert con.execute("select buyer_nick from raw.tmall_orders order by _source_row_number").fetchall() == [
        (n,) for n in names
    ]
    assert quarantine(con) == {}


def test_a_file_mixing_utf8_rows_into_gbk_quarantines_those_rows(tmp_path: Path, con) -> None:
    rows = [order_row(i) for i in ids(0, 4)]
    data = text_export(rows[:2]).encode("gbk")
    data += "".join(",".join(r) + "\r\n" for r in rows[2:]).encode("utf-8")  # a re-saved tail in UTF-8
    (tmp_path / "orders.csv").write_bytes(data)

    ingest_landing(con, tmp_path)

    assert [row for row, _ in loaded_rows(con)] == [1, 2]
    reasons = quarantine(con)
    assert list(reasons) == [3, 4]
    for reason in reasons.values():  # undecodable bytes, or UTF-8 text that happens to decode: named either way
        assert reason == "bytes that are not valid gb18030" or "is UTF-8 text in a gb18030 file" in reason
    assert_every_file_accounted_for(con)


def test_a_cell_of_a_million_characters_loads_whole(tmp_path: Path, con) -> None:
    rows = [order_row(i) for i in ids(0, 3)]
    rows[1][7] = "江苏省南京市" * (1_000_000 // 6)  # a million characters (2 MB of GBK, 3 MB of UTF-8) in 收货地址
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)

    report = ingest_landing(con, tmp_path)

    assert (report.files[0].rows_in, report.files[0].rows_loaded) == (3, 3)
    assert con.execute(
        "select length(receiver_address) from raw.tmall_orders where _source_row_number = 2"
    ).fetchone() == (len(rows[1][7]),)
    assert_every_file_accounted_for(con)


# --- truncation and log lines -------------------------------------------------------------------------------------


def test_a_cut_file_is_reported_as_truncated_in_the_summary(tmp_path: Path, con) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 3)])
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex("暖".encode("gbk"))])  # cut in 店铺名称 of the last row

    ingest_landing(con, tmp_path)

    summary = landing_summary(con)
    assert summary[0] == (
        "Landing files (latest ingest): 1 loaded, 0 not loaded; rows in 3 = loaded 2 + quarantined 1 + held back 0"
    )
    assert "Truncated files (cut short: re-export them):" in summary
    assert (
        "  'orders.csv': its last record (row 3) has no line ending and expected 12 fields as in the header, found 11"
        in summary
    )


def test_a_complete_file_without_a_final_line_ending_is_not_truncated(tmp_path: Path, con) -> None:
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(i) for i in ids(0, 2)])
    path.write_bytes(path.read_bytes().rstrip(b"\r\n"))

    report = ingest_landing(con, tmp_path)

    assert (report.files[0].rows_loaded, report.files[0].truncated) == (2, None)


def test_log_lines_quote_file_names_so_a_newline_cannot_forge_a_line(tmp_path: Path, con, caplog) -> None:
    forged = "a.csv\n2025-03-14 02:00:00 INFO orchestration.ingest.loader: loaded everything.csv"
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row(GOOD_ID)])
    (tmp_path / forged).write_bytes(b"\x01\x02 not an export")

    with caplog.at_level(logging.INFO, logger="orchestration.ingest"):
        ingest_landing(con, tmp_path)

    messages = [record.getMessage() for record in caplog.records]
    assert messages and all("\n" not in message for message in messages)
    assert any(message.startswith(repr(forged) + " was not loaded") for message in messages)
    assert all("\n" not in line for line in landing_summary(con))


def test_an_item_report_whose_last_order_stops_short_of_its_item_count_is_truncated(tmp_path: Path, con) -> None:
    orders = ids(0, 2)
    write_csv(tmp_path / "orders.csv", [*ORDER_HEADER, "宝贝种类"], [[*order_row(o), "2"] for o in orders])
    item_header = ["订单编号", "标题", "价格", "购买数量"]
    lines = [[f'="{o}"', title, "64.00", "1"] for o in orders for title in ("四件套", "枕套")]
    write_csv(tmp_path / "items.csv", item_header, lines[:3])  # cut between two lines: every row is whole

    report = ingest_landing(con, tmp_path)

    (items,) = report.for_dataset("tmall_order_items")
    expected = f"its last order {orders[1]} has 1 of the 2 item lines its order report gives (宝贝种类)"
    assert (items.rows_loaded, items.truncated) == (3, expected)
    assert con.execute("select truncated from raw.ingest_log where source_file = 'items.csv'").fetchone() == (expected,)
    assert f"  'items.csv': {expected}" in landing_summary(con)


def test_a_line_longer_than_the_reader_takes_is_listed_as_not_loaded_with_that_reason(tmp_path: Path, con) -> None:
    rows = [order_row(i) for i in ids(0, 2)]
    rows[1][7] = "江苏省南京市" * 500_000  # 3 million characters: 9 MB of UTF-8 on one line
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)
    write_csv(tmp_path / "more.csv", ORDER_HEADER, [order_row(GOOD_ID)])

    report = ingest_landing(con, tmp_path)

    assert [(f.source_file, f.status) for f in report.files] == [("more.csv", "loaded"), ("orders.csv", "not_loaded")]
    assert report.not_loaded()[0].reason.startswith("recognised as tmall_orders, but a line longer than 8 MiB")
    assert loaded_rows(con) == [(1, GOOD_ID)]  # nothing of the long file: its first row was rolled back with it
    assert_every_file_accounted_for(con)
