"""Benchmark: reading the largest demo XLSX with openpyxl (read-only, the reader before issue 16) and python-calamine.

    .venv/bin/python benchmarks/xlsx_readers.py [--workbook PATH] [--work benchmarks/work]

Without `--workbook`, generates the default demo landing set (150,000 orders) once into `--work` and takes its
largest `.xlsx` (the monthly sub-order export). Each reader runs in a fresh process (peak memory is its own) and does
what the loader needs: every row of the first sheet turned into cell text (`readers._xlsx_cell_text`), written as a
UTF-8 CSV. Both outputs must be identical, byte for byte. Appends a row to benchmarks/results/xlsx_readers.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, append_row, commit, machine, measure, today  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "xlsx_readers.md"

_OPENPYXL = """
import csv
from openpyxl import load_workbook
from orchestration.ingest.readers import _xlsx_cell_text
workbook = load_workbook({path!r}, read_only=True, data_only=True)
with open({out!r}, "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out, lineterminator="\\n")
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        writer.writerow([_xlsx_cell_text(v) for v in values])
workbook.close()
"""

_CALAMINE = """
import csv
from python_calamine import CalamineWorkbook
from orchestration.ingest.readers import _xlsx_cell_text
workbook = CalamineWorkbook.from_path({path!r})
with open({out!r}, "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out, lineterminator="\\n")
    for values in workbook.get_sheet_by_index(0).iter_rows():
        writer.writerow([_xlsx_cell_text(v) for v in values])
workbook.close()
"""


def largest_demo_workbook(work: Path) -> Path:
    landing = work / "xlsx-demo-landing"
    if not any(landing.rglob("*.xlsx")):
        sys.path.insert(0, str(ROOT))
        from orchestration.demo_data import DemoConfig, generate

        generate(landing, DemoConfig())
    return max(landing.rglob("*.xlsx"), key=lambda p: p.stat().st_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workbook", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "work")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    workbook = args.workbook or largest_demo_workbook(args.work)
    outputs = {name: args.work / f"xlsx-{name}.csv" for name in ("openpyxl", "calamine")}
    timings = {
        name: measure(f"xlsx_{name}", code.format(path=str(workbook), out=str(outputs[name])))
        for name, code in (("openpyxl", _OPENPYXL), ("calamine", _CALAMINE))
    }
    same = outputs["openpyxl"].read_bytes() == outputs["calamine"].read_bytes()
    rows = sum(1 for _ in outputs["calamine"].open("rb")) - 1
    openpyxl, calamine = timings["openpyxl"], timings["calamine"]
    row = [
        today(),
        commit(),
        machine(),
        workbook.name,
        f"{workbook.stat().st_size / 1e6:.1f}",
        f"{rows:,}",
        f"{openpyxl.seconds:.1f}",
        f"{openpyxl.cpu_seconds:.1f}",
        f"{openpyxl.peak_rss_mb:.0f}",
        f"{calamine.seconds:.1f}",
        f"{calamine.cpu_seconds:.1f}",
        f"{calamine.peak_rss_mb:.0f}",
        f"{openpyxl.seconds / calamine.seconds:.1f}×",
        "yes" if same else "NO",
        f"{openpyxl.load_before:.1f} / {calamine.load_after:.1f}",
    ]
    append_row(
        RESULTS,
        "XLSX readers: openpyxl (read-only) vs python-calamine on the largest demo workbook",
        "Command: `.venv/bin/python benchmarks/xlsx_readers.py` (the default demo's largest `.xlsx`, the monthly "
        "sub-order export). Each reader turns every row of the first sheet into the loader's cell text and writes a "
        "UTF-8 CSV, in its own process; `same output` compares the two CSVs byte for byte. The machine is shared "
        "(2 cores): wall times vary with the load; CPU seconds much less.",
        [
            "date",
            "commit",
            "machine",
            "workbook",
            "MB",
            "rows",
            "openpyxl s",
            "openpyxl CPU s",
            "openpyxl peak MB",
            "calamine s",
            "calamine CPU s",
            "calamine peak MB",
            "speed-up",
            "same output",
            "load avg before / after",
        ],
        row,
    )
    print(" | ".join(row))


if __name__ == "__main__":
    main()
