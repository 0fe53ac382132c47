"""Benchmark of the demand forecasts (orchestration/forecast): the backtest and today's forecast, in a fresh process,
with wall, CPU and peak memory, and the backtest's WAPE of the chosen forecasts against the two baselines.

Two inputs:

    # the demo warehouse after `make run` (its marts.fct_sku_daily_demand and marts.dim_dates)
    .venv/bin/python benchmarks/forecast.py --warehouse warehouse/analytics.duckdb
    # synthetic: N SKUs over D days with weekly rhythm, a trend, intermittent sellers and the promotion calendar's
    # festivals (seeds/promotion_calendar.csv) lifting demand by phase; no warehouse needed
    .venv/bin/python benchmarks/forecast.py --synthetic-skus 5000 --days 730

Each run appends a row to benchmarks/results/forecast.md (`--out`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import ROOT, append_row, commit, machine, measure, today  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "forecast.md"

_RUN = """
import json, logging, os
import numpy as np
import pandas as pd
from orchestration.forecast.engine import ForecastSettings, build_panel, run_forecasts
settings = ForecastSettings.from_env()
source = {source!r}
if source["kind"] == "warehouse":
    import duckdb
    from orchestration.forecast.store import read_calendar, read_history
    with duckdb.connect(source["path"], read_only=True) as con:
        history, calendar = read_history(con), read_calendar(con)
else:
    from benchmarks.forecast import synthetic
    history, calendar = synthetic(source["skus"], source["days"], settings.horizon_days)
panel = build_panel(history, calendar, settings.horizon_days)
result = run_forecasts(panel, settings)
b = result.backtest
def wapes(rows):
    totals = rows.groupby("method")[["abs_error", "actual_units"]].sum()
    return {{m: round(float(r.abs_error / r.actual_units), 4) for m, r in totals.iterrows() if r.actual_units > 0}}
before = b[b["big_promotion"].fillna("") != ""]
print("RESULT", json.dumps({{
    "skus": int(len(panel.sku_ids)), "days": int(panel.n_days), "history_rows": int(len(history)),
    "origins": [str(panel.day(o.index)) + (" (" + o.big_promotion + ")" if o.big_promotion else "")
                for o in result.origins],
    "overall": wapes(b), "before_big_promotion": wapes(before),
    "methods": result.methods["method"].value_counts().to_dict(),
}}, ensure_ascii=False))
"""


def synthetic(skus: int, days: int, horizon: int, seed: int = 20250101):
    """A demand history of `skus` SKUs over `days` days ending 2025-12-31 and the calendar of the promotion seed
    (with its phases) over it and the horizon: levels log-normal (a third intermittent), weekly rhythm, 15% a year
    growth, and by phase: presale ×1.1, opening ×2.2, main ×1.4, peak ×4 (×6 for 双11), 春节 ×0.6."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    end = dt.date(2025, 12, 31)
    start = end - dt.timedelta(days=days - 1)
    dates = pd.date_range(start, periods=days + horizon, freq="D")
    seed_calendar = pd.read_csv(ROOT / "seeds" / "promotion_calendar.csv", parse_dates=[3, 4, 5, 6])
    phase = pd.Series([None] * len(dates), index=dates, dtype=object)
    name = pd.Series([None] * len(dates), index=dates, dtype=object)
    holiday = pd.Series(False, index=dates)
    holiday_name = pd.Series([None] * len(dates), index=dates, dtype=object)
    # the seed covers 2024-2026; shift its festivals by whole years to cover a longer history
    for shift in range(-((days // 365) + 1), 1):
        for row in seed_calendar.itertuples():
            offset = pd.DateOffset(years=shift)
            window = pd.date_range(row.start_date + offset, row.end_date + offset, freq="D")
            window = window[(window >= dates[0]) & (window <= dates[-1])]
            if row.promotion_type == "holiday":
                holiday[window] = True
                holiday_name[window] = row.promotion_name
                continue
            for day in window:
                if day == row.peak_date + offset:
                    phase[day] = "peak"
                elif pd.notna(row.main_start_date) and day < row.main_start_date + offset:
                    phase[day] = "presale"
                elif pd.notna(row.main_start_date) and day < row.main_start_date + offset + pd.Timedelta(days=3):
                    phase[day] = "opening"
                else:
                    phase[day] = "main"
                name[day] = row.promotion_name
    uplift = phase.map({"presale": 1.1, "opening": 2.2, "main": 1.4, "peak": 4.0}).fillna(1.0).to_numpy()
    uplift = np.where((phase == "peak").to_numpy() & (name == "双11").to_numpy(), 6.0, uplift)
    uplift = np.where(holiday.to_numpy(), 0.6, uplift)
    t = np.arange(days)
    weekly = np.array([1.02, 0.98, 0.96, 0.95, 0.93, 1.03, 1.13])[dates[:days].dayofweek]
    shape = weekly * 1.15 ** (t / 365.0) * uplift[:days]
    levels = rng.lognormal(0.0, 1.1, skus)
    levels[rng.random(skus) < 0.33] *= 0.15  # intermittent sellers
    launch = np.where(rng.random(skus) < 0.1, rng.integers(0, days - 30, skus), 0)
    demand = rng.poisson(levels[:, None] * shape[None, :]).astype(np.float64)
    categories = np.array(["女装", "男装", "童装", "食品", "家居", "户外"])[rng.integers(0, 6, skus)]
    mask = t[None, :] >= launch[:, None]
    rows, cols = np.nonzero(mask)
    history = pd.DataFrame(
        {
            "sku_id": np.char.add("SKU", np.char.zfill(rows.astype(str), 5)),
            "category": categories[rows],
            "demand_date": dates[cols],
            "demand_units": demand[rows, cols],
        }
    )
    calendar = pd.DataFrame(
        {
            "date_day": dates,
            "is_promotion_day": phase.notna().to_numpy(),
            "promotion_phase": phase.to_numpy(),
            "promotion_name": name.to_numpy(),
            "is_holiday": holiday.to_numpy(),
            "holiday_name": holiday_name.to_numpy(),
        }
    )
    return history, calendar


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, help="a warehouse built by `make run`")
    parser.add_argument("--synthetic-skus", type=int, help="SKUs of a synthetic history instead")
    parser.add_argument("--days", type=int, default=730, help="days of synthetic history (default 730)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.warehouse:
        source = {"kind": "warehouse", "path": str(args.warehouse.resolve())}
        label = f"demo warehouse {args.warehouse}"
    elif args.synthetic_skus:
        source = {"kind": "synthetic", "skus": args.synthetic_skus, "days": args.days}
        label = f"synthetic {args.synthetic_skus} SKUs x {args.days} days"
    else:
        parser.error("give --warehouse or --synthetic-skus")
    measurement = measure("forecast", _RUN.format(source=source))
    line = next(line for line in measurement.output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(
        f"{measurement.seconds:.1f} s wall, {measurement.cpu_seconds:.1f} s CPU, {measurement.peak_rss_mb:.0f} MB peak"
    )

    def wape(group: str, method: str) -> str:
        value = result[group].get(method)
        return f"{value:.1%}" if value is not None else ""

    append_row(
        args.out,
        "Demand forecasts: backtest and today's forecast (`benchmarks/forecast.py`)",
        "Targets (issue 21): the default demo (about 500 SKUs) in at most 60 s; 5,000 SKUs x 2 years in at most "
        "10 min on 2 cores, memory bounded. WAPE = sum |forecast - demand| / sum demand over the backtest's origins "
        "(all) and over the origins before a 大促.",
        (
            "date",
            "commit",
            "machine",
            "input",
            "SKUs",
            "origins",
            "wall s",
            "CPU s",
            "peak MB",
            "load before / after",
            "WAPE chosen",
            "WAPE mean_28d",
            "WAPE seasonal_naive",
            "pre-大促 WAPE chosen",
            "pre-大促 mean_28d",
            "pre-大促 seasonal_naive",
        ),
        (
            today(),
            commit(),
            machine(),
            label,
            result["skus"],
            "; ".join(result["origins"]),
            f"{measurement.seconds:.1f}",
            f"{measurement.cpu_seconds:.1f}",
            f"{measurement.peak_rss_mb:.0f}",
            f"{measurement.load_before:.1f} / {measurement.load_after:.1f}",
            wape("overall", "chosen"),
            wape("overall", "mean_28d"),
            wape("overall", "seasonal_naive"),
            wape("before_big_promotion", "chosen"),
            wape("before_big_promotion", "mean_28d"),
            wape("before_big_promotion", "seasonal_naive"),
        ),
    )


if __name__ == "__main__":
    main()
