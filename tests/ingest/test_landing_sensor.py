"""The landing-folder sensor starts the pipeline for new content only."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.ingest.loader import ingest_landing
from orchestration.ingest.sensors import build_landing_sensor
from orchestration.resources import LandingResource, WarehouseResource
from tests.ingest.test_landing_loader import ORDER_HEADER, order_row, write_csv


def evaluate(landing: Path, warehouse: Path):
    sensor = build_landing_sensor("tmall_daily_pipeline")
    # the warehouse resource is a context manager (it takes the run lock in a run, not in a sensor), so the sensor's
    # context is entered, as Dagster's daemon does
    with dg.build_sensor_context(
        resources={"landing": LandingResource(path=str(landing)), "warehouse": WarehouseResource(path=str(warehouse))}
    ) as context:
        return sensor(context)


def test_new_files_start_a_run_and_loaded_or_redelivered_content_does_not(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    write_csv(landing / "ExportOrderList202503140000.csv", ORDER_HEADER, [order_row("5118609024991031607")])

    first = evaluate(landing, warehouse)
    assert len(first.run_requests) == 1

    with duckdb.connect(str(warehouse)) as con:
        ingest_landing(con, landing)
    assert isinstance(evaluate(landing, warehouse), dg.SkipReason)

    shutil.copy(landing / "ExportOrderList202503140000.csv", landing / "copy_of_the_same_export.csv")
    assert isinstance(evaluate(landing, warehouse), dg.SkipReason)

    write_csv(landing / "ExportOrderList202503150000.csv", ORDER_HEADER, [order_row("5118609024991031608")])
    second = evaluate(landing, warehouse)
    assert len(second.run_requests) == 1
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


def test_a_missing_landing_folder_skips_quietly(tmp_path: Path) -> None:
    assert isinstance(evaluate(tmp_path / "nope", tmp_path / "warehouse.duckdb"), dg.SkipReason)


def test_an_opened_archive_and_a_file_not_loaded_do_not_start_a_run_again(tmp_path: Path) -> None:
    import zipfile

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    write_csv(tmp_path / "orders.csv", ORDER_HEADER, [order_row("5118609024991031607")])
    landing.mkdir()
    with zipfile.ZipFile(landing / "exports.zip", "w") as archive:
        archive.write(tmp_path / "orders.csv", "2025-03/orders.csv")
    (landing / "readme.pdf").write_bytes(b"%PDF-1.4")
    assert len(evaluate(landing, warehouse).run_requests) == 1

    with duckdb.connect(str(warehouse)) as con:
        ingest_landing(con, landing)

    # both are in raw.ingest_log (status archive / not_loaded): the sensor does not start a run for them every tick
    assert isinstance(evaluate(landing, warehouse), dg.SkipReason)
