"""Scale-usage heterogeneity: respondent scale use and its effect on key-driver results."""
from __future__ import annotations

import numpy as np
import pandas as pd

from crmlab.drivers import KeyDriverAnalysis, prepare_matrix
from crmlab.core.errors import DataError

def respondent_scale_use(df: pd.DataFrame, items) -> pd.DataFrame:
    """Each respondent's mean and spread (SD, ddof=0) of answers across ``items``."""
    X = prepare_matrix(df, items)
    return pd.DataFrame({"resp_mean": X.mean(1), "resp_sd": X.std(1)}, index=df.index)


def within_standardize(df: pd.DataFrame, outcome: str, drivers) -> tuple[pd.DataFrame, np.ndarray]:
    """Standardise answers within respondent, leave-one-out for the drivers.

    Driver ``j`` of respondent ``i`` becomes ``(x_ij - m_i(-j)) / s_i(-j)``,
    with the mean and SD (ddof=0) of the respondent's *other* driver answers;
    the outcome becomes ``(y_i - m_i) / s_i`` with the mean and SD of all the
    respondent's driver answers.

    Returns the standardised frame (rows kept) and a boolean mask of the
    rows that could not be standardised (a zero SD: the respondent gave one
    answer to all or all-but-one drivers); those rows are not in the frame.

    Notes
    -----
    Plain ipsatisation (subtracting the mean of all items) makes the
    standardised items sum to zero, i.e. perfectly collinear, so R² and its
    decomposition would be degenerate; leaving the item itself out of its
    own reference mean avoids that while still removing each respondent's
    location and spread (Fischer 2004, J. Cross-Cultural Psychology 35; Rossi,
    Gilula & Allenby 2001). Any affine change of a respondent's scale use,
    ``x -> a_i + b_i x`` with ``b_i > 0`` applied to all items, leaves the result
    unchanged.
    """
    drivers = list(drivers)
    X = prepare_matrix(df, drivers)
    y = prepare_matrix(df, [outcome])[:, 0]
    p = X.shape[1]
    if p < 3:
        raise DataError("within-respondent standardisation needs at least 3 drivers")
    others = np.where(np.eye(p, dtype=bool)[None, :, :], np.nan, X[:, None, :])   # (n, j, other items)
    m_loo = np.nanmean(others, axis=2)
    s_loo = np.nanstd(others, axis=2)
    m = X.mean(1)
    s = X.std(1)
    tiny = 1e-9 * (1 + np.abs(X).max(1))          # relative: rounding of a zero SD
    bad = (s_loo.min(1) < tiny) | (s < tiny)
    out = df.loc[~bad].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out[drivers] = ((X - m_loo) / s_loo)[~bad]
        out[outcome] = ((y - m) / s)[~bad]
    return out, bad


def scale_usage_sensitivity(df: pd.DataFrame, outcome: str, drivers, weights=None) -> tuple[pd.DataFrame, dict]:
    """Driver shares on raw ratings versus within-respondent standardised ratings.

    Returns
    -------
    table : DataFrame per driver: ``share_pct_raw``, ``rank_raw``,
        ``share_pct_within``, ``rank_within``, ``rank_change``.
    summary : dict with ``r2_raw``, ``r2_within``, ``mean_item_corr_raw``,
        ``mean_item_corr_within`` (average off-diagonal correlation among
        drivers: the "halo" that common scale use induces) and
        ``corr_scale_mean_outcome`` (correlation of each respondent's mean
        driver rating with the outcome).

    Notes
    -----
    Rossi, Gilula & Allenby (2001, JASA 96) show that respondents differ in
    the part of the scale they use; a shared location shift inflates all
    inter-item correlations and the R² of driver models and flattens the
    differences between drivers. Standardising within respondent removes
    location and spread (it also removes genuine overall differences in
    satisfaction, so it is a sensitivity analysis, not a correction).
    """
    drivers = list(drivers)
    raw = KeyDriverAnalysis().fit(df, outcome, drivers, weights)
    within_df, dropped = within_standardize(df, outcome, drivers)
    w_within = None
    if weights is not None:
        w_all = df[weights].to_numpy() if isinstance(weights, str) else np.asarray(weights)
        w_within = w_all[~dropped]
    wd = KeyDriverAnalysis().fit(within_df, outcome, drivers, w_within)
    t = pd.DataFrame({
        "share_pct_raw": raw.importance_["share_pct"],
        "rank_raw": raw.importance_["rank"],
        "share_pct_within": wd.importance_["share_pct"],
        "rank_within": wd.importance_["rank"],
    })
    t["rank_change"] = t["rank_raw"] - t["rank_within"]

    def mean_offdiag(C):
        R = C.to_numpy()[:-1, :-1]
        return float(R[~np.eye(len(R), dtype=bool)].mean())

    su = respondent_scale_use(df, drivers)
    summary = {
        "r2_raw": raw.r2_,
        "r2_within": wd.r2_,
        "mean_item_corr_raw": mean_offdiag(raw.corr_),
        "mean_item_corr_within": mean_offdiag(wd.corr_),
        "corr_scale_mean_outcome": float(np.corrcoef(su["resp_mean"], prepare_matrix(df, [outcome])[:, 0])[0, 1]),
        "rows_not_standardisable": int(dropped.sum()),
        "rank_raw": raw.rank_,
        "rank_within": wd.rank_,
    }
    return t, summary
