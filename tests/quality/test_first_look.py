"""The first look at a merchant's own landing folder: per file, dataset, rows in / loaded / quarantined, dates, and
the most frequent quarantine reasons; shown only for the merchant's own folder, never for the demo data."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.ingest.loader import ingest_landing
from orchestration.quality.first_look import DEMO_LANDING_DIR, first_look_of, is_own_landing
from tests.ingest.test_landing_loader import ORDER_HEADER, order_row, write_csv


def test_each_file_shows_dataset_rows_dates_and_top_quarantine_reasons(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    good = [order_row(str(5118609024991031600 + n)) for n in range(4)]
    good[3][8] = "2025/3/20 9:05"  # Excel's re-saved shape: the range runs to the 20th
    truncated = order_row("5118609024991031700")[:7]  # a cut-off line: quarantined
    write_csv(landing / "ExportOrderList202503210800.csv", ORDER_HEADER, [*good, truncated, truncated[:5]])
    warehouse = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ingest_landing(con, landing)

    text = first_look_of(warehouse)

    file_line = next(line for line in text.splitlines() if "ExportOrderList202503210800.csv" in line)
    assert file_line.split()[1:5] == ["tmall_orders", "6", "4", "2"]
    assert file_line.endswith("2025-03-14 .. 2025-03-20")
    assert "quarantined 1x: expected 12 fields as in the header, found 7" in text
    assert "quarantined 1x: expected 12 fields as in the header, found 5" in text


def test_it_is_shown_for_a_merchants_folder_not_for_demo_data(tmp_path: Path) -> None:
    assert is_own_landing(tmp_path / "exports", generated_demo_data=False)
    assert not is_own_landing(tmp_path / "exports", generated_demo_data=True)
    assert not is_own_landing(DEMO_LANDING_DIR, generated_demo_data=False)
    assert "no warehouse" in first_look_of(tmp_path / "missing.duckdb")
