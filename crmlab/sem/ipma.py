"""Importance-performance map analysis (IPMA) of a fitted PLS path model."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError

__all__ = ["IPMAResult", "ipma", "item_scale"]


@dataclass
class IPMAResult:
    """Construct- and indicator-level importance-performance map for one target construct.

    Attributes
    ----------
    target : str
    target_performance : float
        Mean rescaled (0-100) score of the target construct.
    constructs : DataFrame
        construct, importance (unstandardised total effect on the target in
        0-100 units), performance (mean 0-100 score), std_total_effect.
    indicators : DataFrame
        item, construct, rescaled_weight, importance (rescaled weight x the
        construct's importance), performance (mean rescaled item),
        negative_weight.
    scale : DataFrame
        item, low, high, source ("given" or "data": the observed minimum and
        maximum when no scale was given).
    scores : DataFrame
        Rescaled (0-100) construct scores per respondent.
    """

    target: str
    target_performance: float
    constructs: pd.DataFrame
    indicators: pd.DataFrame
    scale: pd.DataFrame
    scores: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """The construct-level map."""
        return self.constructs.copy()

    def to_dict(self) -> dict:
        return {"target": self.target, "target_performance": float(self.target_performance),
                "scale_from_data": bool((self.scale["source"] == "data").any()),
                "constructs": self.constructs.round(6).to_dict(orient="records"),
                "indicators": self.indicators.round(6).to_dict(orient="records")}

    def _repr_html_(self):
        return (f"<b>IPMA</b> for {self.target} (performance {self.target_performance:.1f})"
                + self.constructs.to_html(index=False, float_format="%.3f"))


def item_scale(items: pd.DataFrame, scale=None) -> pd.DataFrame:
    """Theoretical minimum and maximum per item.

    Parameters
    ----------
    items : DataFrame
        The item columns.
    scale : None, (low, high) or dict
        None: each item's observed minimum and maximum (``source = "data"``);
        a pair: the same answer scale for all items; a dict item -> (low, high)
        for some items, the others taken from the data.

    Raises
    ------
    DataError
        When an answer lies outside its item's given scale (naming the item and
        1-based rows) or an item is constant.
    """
    rows = []
    for it in items.columns:
        x = items[it].to_numpy(float)
        if scale is None or (isinstance(scale, dict) and it not in scale):
            lo, hi, src = float(np.min(x)), float(np.max(x)), "data"
        else:
            pair = scale[it] if isinstance(scale, dict) else scale
            try:
                lo, hi = (float(v) for v in pair)
            except (TypeError, ValueError):
                raise ParameterError(f"scale for item {it!r} must be a (low, high) pair; got {pair!r}") from None
            src = "given"
            out = np.flatnonzero((x < lo) | (x > hi))
            if len(out):
                raise DataError(f"item {it!r} has answers outside its scale [{lo:g}, {hi:g}] in rows "
                                f"{(out[:5] + 1).tolist()} (1-based); fix the data or the scale argument")
        if not hi > lo:
            raise DataError(f"item {it!r} has scale [{lo:g}, {hi:g}]: no room to rescale to 0-100 "
                            "(give the answer scale with the scale argument)")
        rows.append({"item": it, "low": lo, "high": hi, "source": src})
    return pd.DataFrame(rows)


def ipma(pls, target: str, scale=None) -> IPMAResult:
    """Importance-performance map of the constructs (and items) that drive ``target``.

    Parameters
    ----------
    pls : PLSPM
        A fitted model.
    target : str
        Endogenous target construct.
    scale : None, (low, high) or dict
        Answer scale of the items (see :func:`item_scale`).  By default the
        observed minimum and maximum of each item are used -- correct only when
        some respondent used both ends of every scale; give the questionnaire's
        scale (e.g. ``(0, 10)``) when it is known.

    Returns
    -------
    IPMAResult

    Notes
    -----
    Items are rescaled to ``x* = 100 (x - low) / (high - low)``.  The
    standardised outer weights are unstandardised (``w / sd(x*)``) and
    normalised to sum to one within each block, ``v``; the rescaled construct
    score is ``Y* = sum v x*`` (0-100) and its mean is the construct's
    performance.  Importance is the unstandardised total effect on the
    target, ``T*_st = T_st sd(Y*_t) / sd(Y*_s)`` with ``T = (I - B)^{-1} - I``
    from the standardised paths -- the total effect of the OLS regressions on
    the rescaled scores.  An item's importance is ``v`` times its construct's
    importance; its performance the mean of ``x*``.  The map needs positive
    weights (flagged in ``negative_weight``).  Ringle & Sarstedt (2016), "Gain
    more insight from your PLS-SEM results: the importance-performance map
    analysis", *Industrial Management & Data Systems* 116, 1865-1886.

    A model fitted with survey weights (``pls.sample_weights_``) gives a
    weighted map: means and standard deviations are weighted as in the fit
    (integer weights equal the map of the data with rows repeated).
    """
    if not hasattr(pls, "paths_"):
        raise ParameterError("ipma needs a fitted PLSPM (call fit() first)")
    spec = pls.spec_
    if target not in spec.names:
        raise ParameterError(f"target {target!r} is not a construct of the model ({spec.names})")
    if target not in spec.endogenous:
        raise ParameterError(f"target {target!r} is exogenous: nothing has an effect on it")
    items = pls.data_.items[spec.items]
    sc = item_scale(items, scale)
    lo, hi = sc["low"].to_numpy(), sc["high"].to_numpy()
    Xr = (items.to_numpy(float) - lo) / (hi - lo) * 100
    names = spec.names
    owner = np.array([names.index(c) for c, its in spec.constructs.items() for _ in its])
    sw = getattr(pls, "sample_weights_", None)
    wv = np.ones(len(items)) / len(items) if sw is None else np.asarray(sw, float) / np.sum(sw)

    def mean(A):
        return wv @ A

    def sd(A):
        return np.sqrt(wv @ (A - mean(A)) ** 2)

    w_std = pls.weights_[spec.items].to_numpy()
    sd_raw = sd(items.to_numpy(float))
    w_raw = w_std / sd_raw if pls.scaled else w_std          # weight per raw unit
    w_star = w_raw * (hi - lo) / 100                           # weight per 0-100 unit
    block_sum = np.bincount(owner, weights=w_star, minlength=len(names))
    if np.any(block_sum == 0):
        bad = [names[j] for j in np.flatnonzero(block_sum == 0)]
        raise DataError(f"the weights of construct(s) {bad} sum to zero: the rescaled score is undefined")
    v = w_star / block_sum[owner]
    Wn = np.zeros((len(spec.items), len(names)))
    Wn[np.arange(len(owner)), owner] = v
    Y = Xr @ Wn
    perf = mean(Y)
    sdY = sd(Y)
    B = pls.path_matrix_.to_numpy()
    T = np.linalg.inv(np.eye(len(names)) - B) - np.eye(len(names))
    t = names.index(target)
    T_star = T[:, t] * sdY[t] / sdY
    drivers = [j for j in range(len(names)) if j != t and T[j, t] != 0]
    cons = pd.DataFrame({"construct": [names[j] for j in drivers], "importance": T_star[drivers],
                         "performance": perf[drivers], "std_total_effect": T[drivers, t]})
    sel = np.isin(owner, drivers)
    ind = pd.DataFrame({"item": np.array(spec.items)[sel], "construct": [names[j] for j in owner[sel]],
                        "rescaled_weight": v[sel], "importance": v[sel] * T_star[owner[sel]],
                        "performance": mean(Xr)[sel], "negative_weight": w_star[sel] < 0})
    return IPMAResult(target=target, target_performance=float(perf[t]), constructs=cons, indicators=ind,
                      scale=sc, scores=pd.DataFrame(Y, index=items.index, columns=names))
