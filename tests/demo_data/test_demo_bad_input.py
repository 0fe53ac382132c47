"""The default demo holds the unhappy path of a real landing folder, planted on top of the clean trade: a few
Excel-mangled order ids, a truncated order report, a merchant's note that is no export, an export delivered twice.
Each case is compared with the same demo generated without it, so nothing else changes."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from orchestration.demo_data import DemoConfig, GenerationSummary, generate

CONFIG = DemoConfig(orders=1_500, days=120, start=date(2025, 9, 1), skus=120)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary, Path, GenerationSummary]:
    root = tmp_path_factory.mktemp("bad_input")
    bad = generate(root / "default", CONFIG)
    clean = generate(root / "clean", DemoConfig(**{**CONFIG.__dict__, "bad_input": False}))
    return root / "default", bad, root / "clean", clean


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_bad_input_is_on_by_default_and_only_the_planted_files_differ(pair) -> None:
    bad_root, bad, clean_root, clean = pair
    assert DemoConfig().bad_input and CONFIG.bad_input
    planted = bad.bad_input
    assert clean.bad_input == {}
    assert len(planted["excel_mangled_order_ids"]) == 3
    assert planted["mangled_file"] != planted["truncated_file"]
    on_disk, clean_files = files(bad_root), files(clean_root)
    assert set(on_disk) == {f.path for f in bad.files}
    extra = set(on_disk) - set(clean_files)
    assert extra == {*planted["unknown_files"], *planted["duplicates"]}
    changed = {p for p in clean_files if on_disk[p] != clean_files[p]}
    assert changed == {planted["mangled_file"], planted["truncated_file"]}
    for f in bad.files:
        assert len(on_disk[f.path]) == f.bytes, f.path
    # data rows are counted once, where they were written: the duplicate and the note add none
    assert bad.datasets == clean.datasets


def test_a_few_order_ids_are_what_excel_shows_for_them(pair) -> None:
    bad_root, bad, clean_root, _ = pair
    planted = bad.bad_input
    mangled = (bad_root / planted["mangled_file"]).read_bytes().decode("gbk").split("\r\n")
    original = (clean_root / planted["mangled_file"]).read_bytes().decode("gbk").split("\r\n")
    assert len(mangled) == len(original)
    differing = [(m, o) for m, o in zip(mangled, original, strict=True) if m != o]
    assert len(differing) == 3
    ids = []
    for m, o in differing:
        shown, rest = m.split(",", 1)
        order_id, original_rest = o.split(",", 1)
        assert rest == original_rest
        order_id = order_id.removeprefix('="').removesuffix('"')
        # General format in a default-width cell: six significant digits, trailing zeros dropped
        assert re.fullmatch(r"[1-9](\.[0-9]{0,4}[1-9])?E\+18", shown), shown
        assert Decimal(shown) == Decimal(order_id).scaleb(-13).quantize(Decimal(1), rounding=ROUND_HALF_UP).scaleb(13)
        ids.append(order_id)
    assert sorted(ids) == sorted(planted["excel_mangled_order_ids"])
    # their item lines are still in the item report of the same download, with the real id
    items = (bad_root / planted["mangled_file"].replace("ExportOrderList", "ExportOrderDetailList")).read_bytes()
    assert all(f'="{order_id}"'.encode() in items for order_id in ids)


def test_the_latest_order_report_is_cut_inside_a_character_of_its_last_row(pair) -> None:
    bad_root, bad, clean_root, _ = pair
    planted = bad.bad_input
    cut = (bad_root / planted["truncated_file"]).read_bytes()
    whole = (clean_root / planted["truncated_file"]).read_bytes()
    assert whole.startswith(cut) and len(cut) < len(whole)
    last_row_start = whole.rindex(b"\r\n", 0, len(whole) - 2) + 2
    assert last_row_start < len(cut) < len(whole) - 2  # inside the last row, not at a line end
    assert whole[last_row_start:].startswith(f'="{planted["truncated_order_id"]}"'.encode())
    with pytest.raises(UnicodeDecodeError):
        cut.decode("gbk")  # the download stopped between the two bytes of a character
    # the latest report of the first shop: no later classic order report of that shop exists
    folder = planted["truncated_file"].rsplit("/", 1)[0]
    assert planted["truncated_file"] == max(f.path for f in bad.files_of("tmall_orders") if f.path.startswith(folder))
    summary_rows = next(f.rows for f in bad.files if f.path == planted["truncated_file"])
    assert summary_rows == whole.count(b"\r\n") - 1  # the cut row is still a row in: the ingest quarantines it


def test_a_note_and_a_second_download_of_an_export_lie_beside_the_exports(pair) -> None:
    bad_root, bad, _, _ = pair
    planted = bad.bad_input
    (note,) = planted["unknown_files"]
    assert note.endswith("说明.txt")
    assert "订单报表" in (bad_root / note).read_bytes().decode("gbk")
    ((copy, original),) = planted["duplicates"].items()
    assert copy.endswith(" (1).csv") and copy.replace(" (1)", "") == original
    assert (bad_root / copy).read_bytes() == (bad_root / original).read_bytes()
    listed = {f.path: f for f in bad.files}
    assert listed[copy].duplicate_of == original and listed[note].dataset == ""
    assert copy not in {f.path for f in bad.files_of("erp_sales_orders")}
