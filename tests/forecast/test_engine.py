"""The forecasting engine (orchestration/forecast/engine.py) on small panels built here: promotion uplift, demand
classes, backtest origins, the choice of method, and a whole backtest where promotions are the signal."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from orchestration.forecast.engine import (
    CHOSEN,
    ForecastSettings,
    backtest_origins,
    build_panel,
    choose_methods,
    classify,
    run_forecasts,
    uplift_factors,
)

START = dt.date(2025, 1, 1)


def calendar(days: int, festivals: list[tuple[int, int, str]]) -> pd.DataFrame:
    """A calendar of `days` days; each festival (first day offset, length, name) is main sale then a peak day."""
    phase = [None] * days
    name = [None] * days
    for first, length, festival in festivals:
        for offset in range(first, first + length):
            phase[offset] = "peak" if offset == first + length - 1 else "main"
            name[offset] = festival
    return pd.DataFrame(
        {
            "date_day": [START + dt.timedelta(days=d) for d in range(days)],
            "is_promotion_day": [p is not None for p in phase],
            "promotion_phase": phase,
            "promotion_name": name,
            "is_holiday": False,
            "holiday_name": None,
        }
    )


def history(demand: dict[str, list[float]], category: str = "女装") -> pd.DataFrame:
    rows = []
    for sku, values in demand.items():
        for d, value in enumerate(values):
            if not np.isnan(value):
                rows.append((sku, category, START + dt.timedelta(days=d), value))
    return pd.DataFrame(rows, columns=["sku_id", "category", "demand_date", "demand_units"])


def test_the_uplift_of_a_promotion_phase_is_learnt_from_the_skus_past_promotions() -> None:
    days, horizon = 120, 28
    festivals = [(60, 6, "大促"), (130, 6, "大促")]  # one seen, one ahead
    cal = calendar(days + horizon, festivals)
    main = cal["promotion_phase"].eq("main").to_numpy()[:days]
    peak = cal["promotion_phase"].eq("peak").to_numpy()[:days]
    demand = np.where(peak, 40.0, np.where(main, 20.0, 10.0))
    panel = build_panel(history({"A": list(demand), "B": list(demand / 2)}), cal, horizon)

    factors = uplift_factors(panel, train_end=days - 1)

    future = np.arange(days, days + horizon)
    ahead_main = future[cal["promotion_phase"].to_numpy()[future] == "main"]
    ahead_peak = future[cal["promotion_phase"].to_numpy()[future] == "peak"]
    assert factors[:, ahead_main] == pytest.approx(2.0)
    assert factors[:, ahead_peak] == pytest.approx(4.0)
    normal = future[~cal["is_promotion_day"].to_numpy()[future]]
    assert factors[:, normal] == pytest.approx(1.0)


def test_skus_are_classed_by_how_often_and_how_evenly_they_sell() -> None:
    rng = np.random.default_rng(7)
    smooth = rng.poisson(20, 200).astype(float)
    intermittent = np.where(np.arange(200) % 5 == 0, 3.0, 0.0)
    lumpy = np.where(np.arange(200) % 6 == 0, rng.choice([1.0, 30.0], 200), 0.0)
    gone = np.concatenate([rng.poisson(5, 120), np.zeros(80)]).astype(float)
    new = np.concatenate([np.full(190, np.nan), rng.poisson(5, 10)]).astype(float)
    classes = classify(np.vstack([smooth, intermittent, lumpy, gone, new]), min_history_days=28)
    assert classes.tolist() == ["smooth", "intermittent", "lumpy", "inactive", "new"]


def test_backtest_origins_include_the_day_before_each_big_promotion_that_fits() -> None:
    days, horizon = 300, 56
    cal = calendar(days + horizon, [(150, 10, "双11"), (280, 10, "双11")])
    panel = build_panel(history({"A": [1.0] * days}), cal, horizon)
    origins = backtest_origins(panel, ForecastSettings(horizon_days=horizon, min_origins=3))
    indexes = [o.index for o in origins]
    assert 149 in indexes and [o.big_promotion for o in origins if o.index == 149] == ["双11"]
    assert days - 1 - horizon in indexes  # the last origin whose horizon is observed
    assert 279 not in indexes  # its horizon runs past the history
    assert len(origins) >= 3


def test_each_sku_gets_the_candidate_of_its_class_with_the_least_error_elsewhere() -> None:
    backtest = pd.DataFrame(
        {
            "sku_id": ["A", "A", "B", "B", "C"],
            "method": ["ets", "theta", "tsb", "adida", "mean_28d"],
            "abs_error": [10.0, 5.0, 3.0, 9.0, 1.0],
            "actual_units": [50.0, 50.0, 20.0, 20.0, 20.0],
        }
    )
    choice = choose_methods(
        np.array(["A", "B", "C", "D"]), np.array(["smooth", "intermittent", "erratic", "lumpy"]), backtest
    )
    # C has no candidate row (a baseline does not count): its class's best; D: its class's best over B
    assert choice.tolist() == ["theta", "tsb", "theta", "tsb"]


def test_promotion_aware_forecasts_beat_both_baselines_before_a_big_promotion() -> None:
    """Six SKUs whose demand triples in a recurring 7-day festival: at the origin before a festival the chosen
    forecasts (which learnt the uplift from the festivals before) must beat last week and the 28-day mean."""
    days, horizon = 330, 56
    festivals = [(first, 7, "大促") for first in (60, 150, 240, 330)]
    cal = calendar(days + horizon, festivals)
    promo = cal["is_promotion_day"].to_numpy()[:days]
    rng = np.random.default_rng(20250101)
    demand = {}
    for k, level in enumerate([12.0, 8.0, 5.0, 3.0, 0.6, 0.3]):
        weekly = 1.0 + 0.15 * np.sin(2 * np.pi * np.arange(days) / 7)
        demand[f"S{k}"] = list(rng.poisson(level * weekly * np.where(promo, 3.0, 1.0)).astype(float))
    panel = build_panel(history(demand), cal, horizon)
    settings = ForecastSettings(horizon_days=horizon, min_origins=3, big_promotions=("大促",), n_jobs=1)

    result = run_forecasts(panel, settings)

    backtest = result.backtest
    before = backtest[backtest["big_promotion"] == "大促"]
    assert not before.empty
    totals = before.groupby("method")[["abs_error", "actual_units"]].sum()
    wape = totals["abs_error"] / totals["actual_units"]
    assert wape[CHOSEN] < wape["mean_28d"]
    assert wape[CHOSEN] < wape["seasonal_naive"]

    forecasts = result.forecasts
    assert len(forecasts) == 6 * horizon
    assert (forecasts["lower_95"] <= forecasts["lower_80"]).all()
    assert (forecasts["lower_80"] <= forecasts["forecast_units"]).all()
    assert (forecasts["forecast_units"] <= forecasts["upper_80"]).all()
    ahead = forecasts[forecasts["sku_id"] == "S0"].reset_index(drop=True)
    on_festival = cal["is_promotion_day"].to_numpy()[days : days + horizon]
    assert ahead.loc[on_festival, "forecast_units"].mean() > 2 * ahead.loc[~on_festival, "forecast_units"].mean()
    assert set(result.methods["method"]) <= {"ets", "theta", "croston_sba", "tsb", "adida"}
