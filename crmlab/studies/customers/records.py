"""The results of study 3's sections that both paths produce: in memory (:mod:`.steps`) and in the engine
(:mod:`.engine_path`, aggregates only). Language-free."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmlab import clv

__all__ = ["Fits", "HoldoutCheck", "Segments", "Worth"]


@dataclass
class Segments:
    """Section 2: customers per RFM segment (``counts``), the segment table, the share of one-time buyers, the
    frequency scores that occur and, on the driver, every customer's RFM row (``rfm_table``)."""

    counts: pd.Series
    table: pd.DataFrame
    one_timers: float
    f_scores: list
    rfm_table: pd.DataFrame | None = None


@dataclass
class Fits:
    """The fitted models of the study: BG/NBD, Pareto/NBD (None when it did not converge) and Gamma-Gamma,
    the Gamma-Gamma independence check and the Pareto/NBD's convergence error, if any."""

    bgnbd: clv.BGNBD
    paretonbd: clv.ParetoNBD | None
    gammagamma: clv.GammaGamma
    independence: dict
    pareto_error: Exception | None = None

    @property
    def purchase_models(self) -> dict:
        """Fitted purchase models by results key (``bgnbd``, ``paretonbd``)."""
        return {k: m for k, m in (("bgnbd", self.bgnbd), ("paretonbd", self.paretonbd)) if m is not None}


@dataclass
class HoldoutCheck:
    """Holdout validation of the purchase models (Fader, Hardie & Lee 2005, Figures 3 and 4)."""

    by_frequency: pd.DataFrame   # customers, actual, BG/NBD [, Pareto/NBD] by calibration frequency
    errors: dict                 # BG/NBD error metrics (crmlab.clv.holdout_errors)
    record: dict                 # results.json["holdout"]: BG/NBD metrics [+ "paretonbd": its metrics]
    tracking: pd.DataFrame       # actual and expected repeat transactions per period, and cumulative
    calibration_periods: float   # periods from the start of the log to the end of calibration


@dataclass
class Worth:
    """Expected residual value per customer: BG/NBD + Gamma-Gamma (``value``) and, when fitted,
    Pareto/NBD + Gamma-Gamma (``value_paretonbd``); ``concentration``: top 10% / 20% shares. In the engine
    path there are no per-customer arrays, only the totals (``total_``, ``mean_``, ``total_paretonbd_``)."""

    value: np.ndarray | None
    value_paretonbd: np.ndarray | None
    concentration: dict
    total_: float | None = None
    mean_: float | None = None
    total_paretonbd_: float | None = None

    @property
    def total(self) -> float:
        return float(self.value.sum()) if self.value is not None else float(self.total_)

    @property
    def mean(self) -> float:
        return float(self.value.mean()) if self.value is not None else float(self.mean_)

    @property
    def total_paretonbd(self) -> float | None:
        if self.value is None:
            return self.total_paretonbd_
        return None if self.value_paretonbd is None else float(self.value_paretonbd.sum())
