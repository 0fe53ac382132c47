"""Per-SKU daily demand forecasts with promotion uplift, a rolling-origin backtest, and the choice of method per SKU.

The history is a panel: one row per SKU, one column per day, the estimated demand (`fct_sku_daily_demand.
demand_units`: a stock-out day is not read as zero), NaN before the SKU's first sale. Everything below works on that
panel and the calendar (`dim_dates`), never on the warehouse, so it can be tested on small data built in a test.

How a forecast is made at an origin (the last day it may look at):

1. **Promotion uplift.** Each day has a kind: normal, holiday, or a sales festival's phase (`dim_dates.
   promotion_phase`: presale, opening, main, peak). A SKU's uplift for a kind is its demand on those days over its
   local baseline (the mean of its normal days in the 56 days before), pooled over the SKU's past days of that kind
   and shrunk towards its category's uplift by `uplift_prior_days` pseudo-days; a SKU with no such day takes the
   category's (or, failing that, every SKU's). A festival the category has seen before (last year's 双11) scales the
   kind's uplift by how much bigger or smaller that festival was than the kind's average. A phase never seen yet (no
   opening before the first 618) takes the main sale's uplift if it is an opening, else none.
2. **Base forecast.** The history is divided by its uplift (promotions taken out) and each SKU's last `fit_days`
   are fitted by statsforecast. The SKU's class (Syntetos-Boylan, on the last 182 days) decides the candidates:
   smooth and erratic sellers ETS (additive error, no trend, weekly season) and Theta; intermittent and lumpy ones
   Croston (SBA), TSB and ADIDA; a SKU with under `min_history_days` of history the mean of its last 7 days; a SKU
   without demand in its last 56 days zero.
3. The base forecast times the uplift of each future day is the forecast; never negative.

The baselines are the two forecasts a merchant would make without this: `seasonal_naive` (the last week again) and
`mean_28d` (the mean of the last 28 days, what `inventory_health` used), both on the history as it is.

**Backtest.** At each origin (the last one whose horizon is fully observed, one before every 大促 whose window fits,
and further ones 28 days apart until there are `min_origins`) every candidate and baseline forecasts the next
`horizon_days` and is scored against the demand that followed. **Choice per SKU**: the candidate with the least
absolute error over the *other* origins (so the `chosen` rows of an origin are never scored on the data that chose
them); over all origins for the forecast made today. A SKU the other origins did not score takes its class's best.
The daily error of the chosen method in the backtest (root mean square) gives the prediction intervals (normal,
80% and 95%) and the safety stock downstream.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

KIND_NORMAL, KIND_PRESALE, KIND_OPENING, KIND_MAIN, KIND_PEAK, KIND_HOLIDAY = 0, 1, 2, 3, 4, 5
UPLIFT_KINDS = (KIND_PRESALE, KIND_OPENING, KIND_MAIN, KIND_PEAK, KIND_HOLIDAY)
PHASE_KINDS = {"presale": KIND_PRESALE, "opening": KIND_OPENING, "main": KIND_MAIN, "peak": KIND_PEAK}
FALLBACK_KIND = {KIND_OPENING: KIND_MAIN}
"""A phase never seen takes this phase's uplift (an opening like the main sale); any other unseen one none (1)."""
BASELINE_DAYS = 56
CLASS_DAYS = 182
INACTIVE_DAYS = 56
UPLIFT_RANGE = (0.05, 50.0)
Z_80, Z_95 = 1.2815515655446004, 1.959963984540054

REGULAR_METHODS = ("ets", "theta")
INTERMITTENT_METHODS = ("croston_sba", "tsb", "adida")
BASELINE_METHODS = ("seasonal_naive", "mean_28d")
CANDIDATES: dict[str, tuple[str, ...]] = {
    "smooth": REGULAR_METHODS,
    "erratic": REGULAR_METHODS,
    "intermittent": INTERMITTENT_METHODS,
    "lumpy": INTERMITTENT_METHODS,
    "new": ("mean_7d",),
    "inactive": ("zero",),
}
SKU_CLASSES = tuple(CANDIDATES)
CHOSEN = "chosen"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class ForecastSettings:
    horizon_days: int = 56
    """How far ahead (days): 8 weeks."""
    min_origins: int = 3
    """Backtest origins at least (more when several 大促 fit)."""
    fit_days: int = 364
    """Days of history each model is fitted on (uplift is learnt from the whole history)."""
    min_history_days: int = 28
    """A SKU with less history is `new`: the mean of its last days, and not scored."""
    min_training_days: int = 91
    """An origin needs this much history before it."""
    big_promotions: tuple[str, ...] = ("双11", "618")
    """The 大促 (promotion_name in the calendar) the backtest must start before."""
    uplift_prior_days: float = 7.0
    n_jobs: int = 1

    @classmethod
    def from_env(cls) -> ForecastSettings:
        """`FORECAST_HORIZON_DAYS` (56), `FORECAST_MIN_ORIGINS` (3), `FORECAST_FIT_DAYS` (364),
        `FORECAST_BIG_PROMOTIONS` (双11,618), `FORECAST_N_JOBS` (the machine's cores)."""
        promotions = os.environ.get("FORECAST_BIG_PROMOTIONS", "").strip()
        return cls(
            horizon_days=_env_int("FORECAST_HORIZON_DAYS", 56),
            min_origins=_env_int("FORECAST_MIN_ORIGINS", 3),
            fit_days=_env_int("FORECAST_FIT_DAYS", 364),
            big_promotions=tuple(p.strip() for p in promotions.split(",") if p.strip()) or ("双11", "618"),
            n_jobs=_env_int("FORECAST_N_JOBS", os.cpu_count() or 1),
        )


@dataclass
class Panel:
    """Demand per SKU (rows) and day (columns), and the calendar from the first day to `horizon` days past the last."""

    sku_ids: np.ndarray
    categories: np.ndarray
    start: date
    demand: np.ndarray  # (n_skus, n_days), NaN before the first sale
    kinds: np.ndarray  # (n_days + horizon,) day kind
    promotion_names: np.ndarray  # (n_days + horizon,) festival or holiday name, "" on a normal day

    @property
    def n_days(self) -> int:
        return self.demand.shape[1]

    def day(self, index: int) -> date:
        return self.start + timedelta(days=int(index))


def build_panel(history: pd.DataFrame, calendar: pd.DataFrame, horizon_days: int) -> Panel:
    """`history`: sku_id, category, demand_date, demand_units (one row per SKU and day); `calendar`: date_day,
    is_promotion_day, promotion_phase, promotion_name, is_holiday, holiday_name, covering the history and the
    horizon after it."""
    if history.empty:
        raise ValueError("no demand history: fct_sku_daily_demand is empty")
    dates = pd.to_datetime(history["demand_date"]).dt.normalize()
    start, end = dates.min(), dates.max()
    n_days = int((end - start).days) + 1
    skus = history.groupby("sku_id", sort=True)["category"].max()
    row = pd.Series(np.arange(len(skus)), index=skus.index)
    demand = np.full((len(skus), n_days), np.nan)
    demand[row.loc[history["sku_id"]].to_numpy(), (dates - start).dt.days.to_numpy()] = history["demand_units"].astype(
        float
    )
    cal = calendar.copy()
    cal["date_day"] = pd.to_datetime(cal["date_day"]).dt.normalize()
    cal = cal.set_index("date_day").reindex(pd.date_range(start, periods=n_days + horizon_days, freq="D"))
    promo = cal["is_promotion_day"].fillna(False).astype(bool).to_numpy()
    phase = cal["promotion_phase"].map(PHASE_KINDS).fillna(KIND_MAIN).to_numpy()
    holiday = cal["is_holiday"].fillna(False).astype(bool).to_numpy()
    kinds = np.where(promo, phase, np.where(holiday, KIND_HOLIDAY, KIND_NORMAL))
    names = np.where(
        promo,
        cal["promotion_name"].fillna("").astype(str).to_numpy(),
        np.where(holiday, cal["holiday_name"].fillna("").astype(str).to_numpy(), ""),
    )
    return Panel(
        sku_ids=skus.index.to_numpy().astype(str),
        categories=skus.fillna("").to_numpy().astype(str),
        start=start.date(),
        demand=demand,
        kinds=kinds.astype(np.int8),
        promotion_names=names.astype(str),
    )


# -- promotion uplift -----------------------------------------------------------------------------------------------


def local_baseline(demand: np.ndarray, kinds: np.ndarray, days: int = BASELINE_DAYS) -> np.ndarray:
    """Mean demand of each SKU over its normal days among the `days` days before each day (NaN without any)."""
    normal = (kinds[: demand.shape[1]] == KIND_NORMAL)[None, :] & ~np.isnan(demand)
    values = np.where(normal, demand, 0.0)
    zero = np.zeros((demand.shape[0], 1))
    sums = np.concatenate([zero, np.cumsum(values, axis=1)], axis=1)
    counts = np.concatenate([zero, np.cumsum(normal, axis=1)], axis=1)
    t = np.arange(demand.shape[1])
    lo = np.maximum(t - days, 0)
    window_sum = sums[:, t] - sums[:, lo]
    window_count = counts[:, t] - counts[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(window_count >= 7, window_sum / np.maximum(window_count, 1), np.nan)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)


def uplift_factors(panel: Panel, train_end: int, prior_days: float = 7.0) -> np.ndarray:
    """The uplift of every SKU on every day of the panel and horizon (1 on normal days), learnt from days
    0..train_end."""
    y = panel.demand[:, : train_end + 1]
    kinds_train = panel.kinds[: train_end + 1]
    names_train = panel.promotion_names[: train_end + 1]
    base = local_baseline(y, kinds_train)
    usable = ~np.isnan(y) & ~np.isnan(base) & (base > 0)
    y0 = np.where(usable, y, 0.0)
    b0 = np.where(usable, base, 0.0)
    categories, category_index = np.unique(panel.categories, return_inverse=True)
    n_cat = len(categories)
    total_days = panel.kinds.shape[0]
    factors = np.ones((panel.demand.shape[0], total_days))

    def by_category(values: np.ndarray) -> np.ndarray:
        out = np.zeros(n_cat)
        np.add.at(out, category_index, values)
        return out

    learnt: dict[int, np.ndarray] = {}
    for kind in UPLIFT_KINDS:
        days = kinds_train == kind
        if not days.any():
            continue
        demand_k = y0[:, days].sum(axis=1)
        base_k = b0[:, days].sum(axis=1)
        count_k = usable[:, days].sum(axis=1)
        overall = _ratio(np.array([demand_k.sum()]), np.array([base_k.sum()]))[0]
        overall = 1.0 if np.isnan(overall) else overall
        category = _ratio(by_category(demand_k), by_category(base_k))
        category = np.where(np.isnan(category), overall, category)[category_index]
        mean_base = _ratio(base_k, count_k.astype(float))
        mean_base = np.where(np.isnan(mean_base), 0.0, mean_base)
        prior = prior_days * mean_base
        sku = _ratio(demand_k + prior * category, base_k + prior)
        sku = np.where(np.isnan(sku), category, sku)
        future_days = panel.kinds == kind
        factors[:, future_days] = sku[:, None]
        learnt[kind] = sku
        # a festival seen before: this festival's size against the kind's average, per category
        category_sum_demand = by_category(demand_k)
        category_sum_base = by_category(base_k)
        for name in np.unique(panel.promotion_names[future_days]):
            seen = days & (names_train == name)
            if not name or not seen.any():
                continue
            named = _ratio(by_category(y0[:, seen].sum(axis=1)), by_category(b0[:, seen].sum(axis=1)))
            kind_average = _ratio(category_sum_demand, category_sum_base)
            scale = _ratio(named, kind_average)
            scale = np.where(np.isnan(scale), 1.0, scale)[category_index]
            columns = future_days & (panel.promotion_names == name)
            factors[:, columns] *= scale[:, None]
    for kind, fallback in FALLBACK_KIND.items():
        if kind not in learnt and fallback in learnt:
            factors[:, panel.kinds == kind] = learnt[fallback][:, None]
    return np.clip(factors, *UPLIFT_RANGE)


# -- classes and models ---------------------------------------------------------------------------------------------


def classify(demand: np.ndarray, min_history_days: int) -> np.ndarray:
    """Syntetos-Boylan class of each SKU on its last 182 days (ADI 1.32, CV² 0.49); `new` under min_history_days of
    history, `inactive` without demand in the last 56 days."""
    window = demand[:, -CLASS_DAYS:]
    observed = ~np.isnan(window)
    history_days = (~np.isnan(demand)).sum(axis=1)
    nonzero = observed & (np.nan_to_num(window) > 0)
    n_nonzero = nonzero.sum(axis=1)
    adi = _ratio(observed.sum(axis=1).astype(float), n_nonzero.astype(float))
    sizes = np.where(nonzero, window, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"), _quiet():
        mean = np.nanmean(sizes, axis=1)
        cv2 = np.nanvar(sizes, axis=1) / mean**2
    recent = np.nan_to_num(demand[:, -INACTIVE_DAYS:]).sum(axis=1)
    classes = np.where(
        adi < 1.32, np.where(cv2 < 0.49, "smooth", "erratic"), np.where(cv2 < 0.49, "intermittent", "lumpy")
    ).astype(object)
    classes[recent <= 0] = "inactive"
    classes[history_days < min_history_days] = "new"
    return classes.astype(str)


class _quiet:
    def __enter__(self) -> None:
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._catch.__exit__(*exc)


def _statsforecast_models(methods: Sequence[str]) -> list:
    from statsforecast.models import ADIDA, TSB, AutoETS, CrostonSBA, SeasonalNaive, Theta, WindowAverage

    makers = {
        "ets": lambda: AutoETS(season_length=7, model="ANA", alias="ets"),
        "theta": lambda: Theta(season_length=7, alias="theta"),
        "croston_sba": lambda: CrostonSBA(alias="croston_sba"),
        "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1, alias="tsb"),
        "adida": lambda: ADIDA(alias="adida"),
        "seasonal_naive": lambda: SeasonalNaive(season_length=7, alias="seasonal_naive"),
        "mean_28d": lambda: WindowAverage(window_size=28, alias="mean_28d"),
    }
    return [makers[m]() for m in methods]


def fit_forecast(series: np.ndarray, methods: Sequence[str], horizon: int, start: date, n_jobs: int) -> dict:
    """Forecasts (n_series, horizon) per method of statsforecast, fitted on each row of `series` (NaN before its
    first value, contiguous after)."""
    if series.shape[0] == 0:
        return {m: np.zeros((0, horizon)) for m in methods}
    from statsforecast import StatsForecast

    rows, cols = np.nonzero(~np.isnan(series))
    frame = pd.DataFrame(
        {
            "unique_id": rows,
            "ds": pd.Timestamp(start) + pd.to_timedelta(cols, unit="D"),
            "y": series[rows, cols],
        }
    )
    engine = StatsForecast(models=_statsforecast_models(methods), freq="D", n_jobs=n_jobs)
    with _quiet():
        result = engine.forecast(df=frame, h=horizon)
    result = result.sort_values(["unique_id", "ds"])
    ids = result["unique_id"].to_numpy().reshape(-1, horizon)[:, 0]
    out = {}
    for method in methods:
        values = result[method].to_numpy(dtype=float).reshape(-1, horizon)
        full = np.zeros((series.shape[0], horizon))
        full[ids] = values
        out[method] = np.nan_to_num(full, nan=0.0)
    return out


def _window(values: np.ndarray, days: int) -> np.ndarray:
    return values[:, -days:] if values.shape[1] > days else values


def forecast_at(panel: Panel, train_end: int, settings: ForecastSettings, classes: np.ndarray) -> dict:
    """Every candidate's and baseline's forecast (n_skus, horizon) made at day `train_end`; a method a SKU's class
    does not use is NaN for it."""
    h = settings.horizon_days
    n = panel.demand.shape[0]
    y = panel.demand[:, : train_end + 1]
    factors = uplift_factors(panel, train_end, settings.uplift_prior_days)
    past = factors[:, : train_end + 1]
    future = factors[:, train_end + 1 : train_end + 1 + h]
    adjusted = _window(y / past, settings.fit_days)
    raw = _window(y, settings.fit_days)
    fit_start = panel.day(max(train_end + 1 - settings.fit_days, 0))
    forecasts: dict[str, np.ndarray] = {}

    def put(method: str, rows: np.ndarray, values: np.ndarray) -> None:
        target = forecasts.setdefault(method, np.full((n, h), np.nan))
        target[rows] = np.maximum(values, 0.0)

    for group in (REGULAR_METHODS, INTERMITTENT_METHODS):
        rows = np.flatnonzero(np.isin(classes, [c for c, m in CANDIDATES.items() if m == group]))
        for method, values in fit_forecast(adjusted[rows], group, h, fit_start, settings.n_jobs).items():
            put(method, rows, values * future[rows])
    rows = np.flatnonzero(classes == "new")
    if rows.size:
        with _quiet():
            level = np.nan_to_num(np.nanmean(adjusted[rows][:, -7:], axis=1))
        put("mean_7d", rows, level[:, None] * future[rows])
    rows = np.flatnonzero(classes == "inactive")
    put("zero", rows, np.zeros((rows.size, h)))
    scored = np.flatnonzero(classes != "new")
    for method, values in fit_forecast(raw[scored], BASELINE_METHODS, h, fit_start, settings.n_jobs).items():
        put(method, scored, values)
    return forecasts


# -- backtest -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    index: int  # the last history day it may look at
    big_promotion: str  # the 大促 whose window starts after it, "" if none


def backtest_origins(panel: Panel, settings: ForecastSettings) -> list[Origin]:
    """The last origin whose horizon is observed, one before each 大促 whose window (and peak) the horizon covers,
    then every 28 days back from the last until there are min_origins."""
    h = settings.horizon_days
    last = panel.n_days - 1 - h
    first = settings.min_training_days - 1
    if last < first:
        return []
    origins: dict[int, str] = {last: ""}
    kinds, names = panel.kinds[: panel.n_days], panel.promotion_names[: panel.n_days]
    for name in settings.big_promotions:
        days = np.flatnonzero((names == name) & (kinds != KIND_NORMAL))
        if days.size == 0:
            continue
        # each occurrence: a run of consecutive days
        runs = np.split(days, np.flatnonzero(np.diff(days) > 1) + 1)
        for run in runs:
            origin = int(run[0]) - 1
            peaks = run[kinds[run] == KIND_PEAK]
            end = int(peaks[-1]) if peaks.size else int(run[-1])
            if first <= origin <= last and end <= origin + h:
                origins[origin] = name
    candidate = last - 28
    while len(origins) < settings.min_origins and candidate >= first:
        origins.setdefault(candidate, "")
        candidate -= 28
    return [Origin(index, origins[index]) for index in sorted(origins)]


def _mase_scale(raw: np.ndarray) -> np.ndarray:
    """Mean absolute error of the weekly seasonal naive forecast in the training days (the MASE denominator)."""
    diffs = np.abs(raw[:, 7:] - raw[:, :-7])
    with _quiet():
        return np.nanmean(diffs, axis=1) if diffs.shape[1] else np.full(raw.shape[0], np.nan)


@dataclass
class ForecastResult:
    backtest: pd.DataFrame
    """One row per SKU, origin and method (candidates, baselines and `chosen`): the horizon's totals."""
    forecasts: pd.DataFrame
    """One row per SKU and future day: the chosen method's forecast and intervals."""
    methods: pd.DataFrame
    """One row per SKU: class, chosen method, its backtest error."""
    origins: list[Origin] = field(default_factory=list)


def run_forecasts(panel: Panel, settings: ForecastSettings) -> ForecastResult:
    h = settings.horizon_days
    origins = backtest_origins(panel, settings)
    logger.info("forecasting %d SKUs, backtest origins %s", len(panel.sku_ids), [panel.day(o.index) for o in origins])
    scores = []
    per_origin: list[tuple[Origin, np.ndarray, dict, np.ndarray]] = []
    for origin in origins:
        y = panel.demand[:, : origin.index + 1]
        classes = classify(y, settings.min_history_days)
        forecasts = forecast_at(panel, origin.index, settings, classes)
        actual = panel.demand[:, origin.index + 1 : origin.index + 1 + h]
        scale = _mase_scale(_window(y, settings.fit_days))
        scored = (classes != "new") & ~np.isnan(actual).any(axis=1)
        per_origin.append((origin, classes, forecasts, actual))
        for method, values in forecasts.items():
            rows = np.flatnonzero(scored & ~np.isnan(values).any(axis=1))
            scores.append(_score_rows(panel, origin, method, classes, rows, values, actual, scale))
    backtest = pd.concat(scores, ignore_index=True) if scores else _empty_backtest()
    chosen_rows = []
    for k, (origin, classes, forecasts, actual) in enumerate(per_origin):
        others = backtest[(backtest["origin_date"] != panel.day(origin.index))]
        choice = choose_methods(panel.sku_ids, classes, others)
        values = np.full((len(panel.sku_ids), h), np.nan)
        for method in np.unique(choice):
            rows = np.flatnonzero(choice == method)
            if method in forecasts:
                values[rows] = forecasts[method][rows]
        y = panel.demand[:, : origin.index + 1]
        scale = _mase_scale(_window(y, settings.fit_days))
        scored = (classes != "new") & ~np.isnan(actual).any(axis=1) & ~np.isnan(values).any(axis=1)
        chosen_rows.append(_score_rows(panel, origin, CHOSEN, classes, np.flatnonzero(scored), values, actual, scale))
        logger.info("origin %s done (%d of %d)", panel.day(origin.index), k + 1, len(per_origin))
    if chosen_rows:
        backtest = pd.concat([backtest, *chosen_rows], ignore_index=True)

    # today's forecast
    last = panel.n_days - 1
    classes = classify(panel.demand, settings.min_history_days)
    forecasts = forecast_at(panel, last, settings, classes)
    choice = choose_methods(panel.sku_ids, classes, backtest[backtest["method"] != CHOSEN])
    values = np.zeros((len(panel.sku_ids), h))
    for method in np.unique(choice):
        rows = np.flatnonzero(choice == method)
        values[rows] = np.nan_to_num(forecasts[method][rows])
    uplift = uplift_factors(panel, last, settings.uplift_prior_days)[:, last + 1 : last + 1 + h]
    error_sd, abs_error, actual_units = _chosen_errors(panel.sku_ids, choice, backtest, h)
    # a SKU the backtest never scored: Poisson-like spread around its level
    error_sd = np.where(np.isnan(error_sd), np.sqrt(values.mean(axis=1)), error_sd)
    methods = pd.DataFrame(
        {
            "sku_id": panel.sku_ids,
            "category": panel.categories,
            "sku_class": classes,
            "method": choice,
            "history_days": (~np.isnan(panel.demand)).sum(axis=1),
            "daily_error_sd": error_sd,
            "backtest_abs_error": abs_error,
            "backtest_actual_units": actual_units,
            "forecast_origin_date": panel.day(last),
        }
    )
    days = [panel.day(last + 1 + d) for d in range(h)]
    sd = error_sd[:, None]
    forecast_frame = pd.DataFrame(
        {
            "sku_id": np.repeat(panel.sku_ids, h),
            "forecast_date": np.tile(np.array(days, dtype="datetime64[D]"), len(panel.sku_ids)),
            "method": np.repeat(choice, h),
            "forecast_units": values.reshape(-1),
            "lower_80": np.maximum(values - Z_80 * sd, 0).reshape(-1),
            "upper_80": (values + Z_80 * sd).reshape(-1),
            "lower_95": np.maximum(values - Z_95 * sd, 0).reshape(-1),
            "upper_95": (values + Z_95 * sd).reshape(-1),
            "promotion_uplift": uplift.reshape(-1),
            "forecast_origin_date": panel.day(last),
        }
    )
    return ForecastResult(backtest=backtest, forecasts=forecast_frame, methods=methods, origins=origins)


def _empty_backtest() -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            "sku_id",
            "sku_class",
            "origin_date",
            "big_promotion",
            "method",
            "horizon_days",
            "actual_units",
            "forecast_units",
            "abs_error",
            "squared_error",
            "mase_scale",
        ]
    )


def _score_rows(
    panel: Panel,
    origin: Origin,
    method: str,
    classes: np.ndarray,
    rows: np.ndarray,
    values: np.ndarray,
    actual: np.ndarray,
    scale: np.ndarray,
) -> pd.DataFrame:
    f, a = values[rows], actual[rows]
    return pd.DataFrame(
        {
            "sku_id": panel.sku_ids[rows],
            "sku_class": classes[rows],
            "origin_date": panel.day(origin.index),
            "big_promotion": origin.big_promotion,
            "method": method,
            "horizon_days": a.shape[1],
            "actual_units": a.sum(axis=1),
            "forecast_units": f.sum(axis=1),
            "abs_error": np.abs(f - a).sum(axis=1),
            "squared_error": ((f - a) ** 2).sum(axis=1),
            "mase_scale": scale[rows],
        }
    )


def choose_methods(sku_ids: np.ndarray, classes: np.ndarray, backtest: pd.DataFrame) -> np.ndarray:
    """Per SKU, the candidate of its class with the least absolute error in `backtest` (summed over its origins);
    the class's best candidate (least error over its SKUs) when `backtest` has no row of the SKU's candidates."""
    choice = np.array([CANDIDATES[c][0] for c in classes], dtype=object)
    if backtest.empty:
        return choice.astype(str)
    candidate_rows = backtest[backtest["method"].isin([m for ms in CANDIDATES.values() for m in ms])]
    per_sku = candidate_rows.groupby(["sku_id", "method"], sort=False)["abs_error"].sum()
    class_best: dict[str, str] = {}
    for sku_class, methods in CANDIDATES.items():
        rows = candidate_rows[candidate_rows["method"].isin(methods)]
        totals = rows.groupby("method")["abs_error"].sum() / rows.groupby("method")["actual_units"].sum().clip(lower=1)
        class_best[sku_class] = str(totals.idxmin()) if not totals.empty else methods[0]
    errors = per_sku.unstack("method")
    index = pd.Index(errors.index)
    for i, (sku, sku_class) in enumerate(zip(sku_ids, classes, strict=True)):
        methods = [m for m in CANDIDATES[sku_class] if m in errors.columns]
        position = index.get_indexer([sku])[0]
        if position >= 0 and methods:
            row = errors.iloc[position][methods].dropna()
            if not row.empty:
                choice[i] = row.idxmin()
                continue
        choice[i] = class_best[sku_class]
    return choice.astype(str)


def _chosen_errors(
    sku_ids: np.ndarray, choice: np.ndarray, backtest: pd.DataFrame, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root mean square daily error, absolute error and actual units of each SKU's chosen method in the backtest."""
    n = len(sku_ids)
    if backtest.empty:
        return np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    rows = backtest[backtest["method"] != CHOSEN]
    totals = rows.groupby(["sku_id", "method"])[["squared_error", "abs_error", "actual_units", "horizon_days"]].sum()
    keys = pd.MultiIndex.from_arrays([sku_ids, choice])
    picked = totals.reindex(keys)
    days = picked["horizon_days"].to_numpy(dtype=float)
    with _quiet():
        sd = np.sqrt(picked["squared_error"].to_numpy(dtype=float) / np.where(days > 0, days, np.nan))
    return sd, picked["abs_error"].to_numpy(dtype=float), picked["actual_units"].to_numpy(dtype=float)
