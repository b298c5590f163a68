"""Common front end of the purchase-count models (BG/NBD, Pareto/NBD)."""

from __future__ import annotations

import numpy as np

from crmlab.clv.base import MLEstimator, as_array, compress
from crmlab.core.errors import DataError

__all__ = ["PurchaseModel", "check_rfm"]


def check_rfm(frequency, recency, T):
    """Validate ``(x, t_x, T)``: whole x >= 0, 0 <= t_x <= T, and t_x = 0 exactly when x = 0."""
    x = as_array(frequency, "frequency", integer=True)
    tx = as_array(recency, "recency")
    T_ = as_array(T, "T")
    if not (len(x) == len(tx) == len(T_)):
        raise DataError(f"frequency, recency and T differ in length ({len(x)}, {len(tx)}, {len(T_)})")
    bad = (tx > T_ + 1e-9) | ((x == 0) & (tx > 0)) | ((x > 0) & (tx <= 0))
    if bad.any():
        idx = np.flatnonzero(bad)[:5]
        raise DataError(
            "recency must satisfy 0 < recency <= T for repeat buyers and recency = 0 for customers "
            f"without repeat purchases; {int(bad.sum())} row(s) break this, e.g. rows {idx.tolist()}: "
            f"frequency={x[idx].tolist()}, recency={tx[idx].tolist()}, T={T_[idx].tolist()}"
        )
    return x, tx, T_


class PurchaseModel(MLEstimator):
    """Base of the repeat-purchase models fitted on compressed ``(x, t_x, T, count)`` rows."""

    def fit(self, frequency, recency, T, weights=None):
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat purchases ``x``, time of the last purchase ``t_x`` and the
            customer's age ``T`` at the end of calibration (same time unit).
        weights : array-like, optional
            Number of customers each row stands for (default 1).

        Returns
        -------
        self
        """
        x, tx, T_ = check_rfm(frequency, recency, T)
        if len(x) == 0:
            raise DataError(f"{self.model_name}: no customers to fit")
        if not (x > 0).any():
            raise DataError(
                f"{self.model_name}: the calibration period has no repeat buyers (every frequency is 0), "
                "so the dropout process cannot be estimated; lengthen the calibration period "
                "(calibration_end) or check the customer and date columns"
            )
        (ux, utx, uT), counts, _ = compress(x, tx, T_, weights=weights)
        self._fit_data(self._prepare(ux, utx, uT), counts)
        self.n_repeaters_ = int(round(np.sum(counts[ux > 0])))
        return self

    @staticmethod
    def _prepare(x, tx, T):
        xs, xi = np.unique(x, return_inverse=True)
        return {"x": x, "tx": tx, "T": T, "xs": xs, "xi": xi}

    def _start(self, data, counts):
        return self._default_start

    def loglik(self, frequency, recency, T, params=None) -> np.ndarray:
        """Per-customer log-likelihood at ``params`` (default: the fitted ones)."""
        x, tx, T_ = check_rfm(frequency, recency, T)
        return self._loglik(self._theta(params), self._prepare(x, tx, T_))
