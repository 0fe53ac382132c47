"""`python -m orchestration.ingest`: load the landing folder into the warehouse without Dagster (for debugging).

The pipeline itself runs ingest as the Dagster asset `raw_landing_files`; this entry point calls the same code.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import duckdb

from orchestration.ingest.datasets import DATASETS
from orchestration.ingest.loader import LandingError, ingest_landing
from orchestration.ingest.summary import landing_summary
from orchestration.settings import Settings


def main() -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing-dir", type=Path, default=settings.landing_dir)
    parser.add_argument("--warehouse", type=Path, default=settings.warehouse_path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    args.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(args.warehouse)) as con:
        try:
            report = ingest_landing(con, args.landing_dir)
        except LandingError as exc:
            logging.error("%s", exc)
            return 2
        summary = landing_summary(con)
    for dataset in DATASETS:
        print(dataset.name, report.totals(dataset.name))
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
