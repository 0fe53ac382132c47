"""The demo generator writes what the landing contract (docs/landing-formats.md) describes, deterministically."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest

from orchestration.demo_data import DemoConfig, generate
from orchestration.demo_data.__main__ import main

from .conftest import SMALL, DemoSet, read_table

ID_CELL = re.compile(rb'^="(\d{19})"$')


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    config = DemoConfig(orders=1_500, days=120, start=date(2025, 9, 1), skus=120)

    generate(tmp_path / "a", config)
    generate(tmp_path / "b", config)
    generate(tmp_path / "c", DemoConfig(orders=1_500, days=120, start=date(2025, 9, 1), skus=120, seed=7))

    first = digest(tmp_path / "a")
    assert len(first) > 20
    assert first == digest(tmp_path / "b")
    other = digest(tmp_path / "c")
    assert len(other) == len(first)
    assert not set(first.values()) & set(other.values())


def test_tmall_files_are_gbk_with_crlf_and_excel_escaped_unique_19_digit_ids(demo: DemoSet) -> None:
    ids: list[bytes] = []
    for f in demo.summary.files_of("tmall_orders") + demo.summary.files_of("tmall_order_items"):
        assert f.path.startswith("tmall/")
        assert re.fullmatch(r"tmall/[^/]+/ExportOrder(Detail)?List\d{12}\.csv", f.path)
        data = (demo.root / f.path).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("gbk")  # strict: the whole file is GBK
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # ... and really not UTF-8
        assert data.endswith(b"\r\n")
        assert data.count(b"\n") == data.count(b"\r\n")
        lines = data.split(b"\r\n")[1:-1]
        assert len(lines) == f.rows
        if "DetailList" not in f.path:
            ids += [ID_CELL.match(line.split(b",", 1)[0]).group(1) for line in lines]  # type: ignore[union-attr]
        else:
            assert all(ID_CELL.match(line.split(b",", 1)[0]) for line in lines)
    assert len(ids) == SMALL.orders
    assert len(set(ids)) == len(ids)


def test_headers_carry_stray_spaces_like_real_exports(demo: DemoSet) -> None:
    order_file = demo.root / demo.summary.files_of("tmall_orders")[0].path
    header = order_file.read_bytes().split(b"\r\n", 1)[0].decode("gbk").split(",")
    assert "收货地址 " in header and "订单付款时间 " in header and "宝贝标题 " in header
    assert any(h != h.strip() and h.startswith(" ") for h in header)
    item_file = demo.root / demo.summary.files_of("tmall_order_items")[0].path
    item_header = item_file.read_bytes().split(b"\r\n", 1)[0].decode("gbk").split(",")
    assert "商家编码 " in item_header


def test_erp_files_are_utf8_with_bom_and_crlf_and_named_by_period(demo: DemoSet) -> None:
    patterns = {
        "erp_skus": r"erp/商品资料_\d{8}\.csv",
        "erp_sales_orders": r"erp/订单_\d{6}\.csv",
        "erp_shipments": r"erp/销售出库_\d{6}\.csv",
        "erp_inventory": r"erp/库存_\d{8}\.csv",
    }
    for dataset, pattern in patterns.items():
        files = demo.summary.files_of(dataset)
        assert files, dataset
        for f in files:
            assert re.fullmatch(pattern, f.path), f.path
            data = (demo.root / f.path).read_bytes()
            assert data.startswith(b"\xef\xbb\xbf")
            data.decode("utf-8")
            assert data.count(b"\n") == data.count(b"\r\n")
    assert len(demo.summary.files_of("erp_sales_orders")) == 12
    assert len(demo.summary.files_of("erp_shipments")) == 12
    assert len(demo.summary.files_of("erp_inventory")) == 52  # every Monday of 2025


def test_the_summary_counts_every_data_row_of_every_file(demo: DemoSet) -> None:
    on_disk = {p.relative_to(demo.root).as_posix() for p in demo.root.rglob("*") if p.is_file()}
    assert on_disk == {f.path for f in demo.summary.files}
    for f in demo.summary.files:
        assert len(read_table(demo.root, f.path, f.dataset).rows) == f.rows, f.path
        assert (demo.root / f.path).stat().st_size == f.bytes
    datasets = demo.summary.datasets
    assert datasets["tmall_orders"] == SMALL.orders == len(demo.orders)
    assert datasets["tmall_order_items"] == len(demo.items)
    assert datasets["erp_skus"] == SMALL.skus == len(demo.skus)
    assert datasets["erp_sales_orders"] == len(demo.erp_orders)
    assert datasets["erp_shipments"] == len(demo.shipments)
    assert datasets["erp_inventory"] == sum(len(rows) for rows in demo.inventory.values())


def test_the_cli_writes_a_folder_and_refuses_to_write_into_one_with_files(tmp_path: Path, capsys) -> None:
    args = ["--out", str(tmp_path / "landing"), "--orders", "300", "--days", "20", "--skus", "40", "--quiet"]
    assert main(args) == 0
    assert "tmall_orders" in capsys.readouterr().out
    assert main(args) == 2
    assert "already holds files" in capsys.readouterr().err
    with pytest.raises(FileExistsError):
        generate(tmp_path / "landing", DemoConfig(orders=10, days=3, skus=20))
