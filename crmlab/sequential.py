"""Sequential monitoring of experiments: always-valid (asymptotic) confidence sequences.

A confidence sequence (CS) is a sequence of intervals that covers the effect
at every look simultaneously with probability at least ``level``, so a team
may look every day and stop whenever the interval excludes zero. This module
implements the Gaussian-mixture asymptotic CS of Waudby-Smith, Arbour, Sinha,
Kennedy & Ramdas ("Time-uniform central limit theory and asymptotic confidence
sequences", *Ann. Statist.* 52(6), 2024) for the difference in means (or in
proportions) between each arm and the control, from per-customer outcomes with
an arrival time or from daily aggregates. All looks are computed at once from
cumulative sums (sufficient statistics), so 100 looks on a million customers
take a fraction of a second.

:func:`sequential_error_rates` simulates A/A (or A/B) experiments with daily
looks and reports how often the CS and the naive repeated fixed-horizon
interval ever miss the true effect.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from crmlab.core.errors import DataError, ParameterError
from crmlab.experiments import check_experiment

__all__ = ["optimal_rho2", "cs_multiplier", "anytime_p", "SequentialResult", "confidence_sequence",
           "confidence_sequence_from_aggregates", "sequential_error_rates"]


def _alpha(level):
    if not 0 < level < 1:
        raise ParameterError(f"level must be in (0, 1), got {level}")
    return 1.0 - level


def optimal_rho2(n_opt, level=0.95, *, exact=True):
    """Tuning parameter :math:`\\rho^2` making the CS narrowest at sample size ``n_opt``.

    Notes
    -----
    With :math:`L = -2\\log\\alpha` and :math:`x = n_{opt}\\rho^2`, the squared
    multiplier :math:`(1+x)/x\\,[\\log(1+x) + L]` (see :func:`cs_multiplier`) is
    minimal where :math:`x = L + \\log(1+x)`, i.e.
    :math:`x^* = -W_{-1}(-e^{-(L+1)}) - 1` with :math:`W_{-1}` the lower branch
    of Lambert's W (``exact=True``). ``exact=False`` gives the closed-form
    approximation used by Waudby-Smith et al. (2024) (from Howard, Ramdas,
    McAuliffe & Sekhon 2021, *Ann. Statist.* 49:1055):
    :math:`\\rho^2 = [-2\\log\\alpha + \\log(-2\\log\\alpha + 1)]/n_{opt}`.
    At :math:`n = n_{opt}` and the exact optimum the multiplier equals
    :math:`\\sqrt{1 + x^*}` (3.035 for ``level=0.95``, against 1.960 for a
    fixed-horizon interval).
    """
    n_opt = np.asarray(n_opt, dtype=float)
    if np.any(n_opt <= 0):
        raise ParameterError(f"n_opt must be positive, got {n_opt}")
    big_l = -2.0 * np.log(_alpha(level))
    if exact:
        x = -special.lambertw(-np.exp(-(big_l + 1.0)), k=-1).real - 1.0
    else:
        x = big_l + np.log1p(big_l)
    return x / n_opt


def cs_multiplier(n, rho2, level=0.95):
    """Half-width of the asymptotic CS in units of the standard error, at sample size ``n``.

    Notes
    -----
    Theorem 2.2 of Waudby-Smith et al. (2024): for i.i.d. observations with
    sample mean :math:`\\hat\\mu_t` and sample standard deviation
    :math:`\\hat\\sigma_t`,

    .. math:: \\hat\\mu_t \\pm \\hat\\sigma_t
              \\sqrt{\\frac{2(t\\rho^2+1)}{t^2\\rho^2}\\log\\Big(\\frac{\\sqrt{t\\rho^2+1}}{\\alpha}\\Big)}

    is a two-sided :math:`(1-\\alpha)` asymptotic confidence sequence (the
    boundary is where Robbins' Gaussian mixture martingale
    :math:`(1+t\\rho^2)^{-1/2}\\exp\\{\\rho^2 S_t^2/[2(1+t\\rho^2)]\\}` reaches
    :math:`1/\\alpha`). Writing the half-width as :math:`c_t\\,\\hat\\sigma_t/\\sqrt t
    = c_t \\cdot se_t`, the multiplier returned is
    :math:`c_t = \\sqrt{2(t\\rho^2+1)/(t\\rho^2)\\,\\log(\\sqrt{t\\rho^2+1}/\\alpha)}`.
    """
    a = _alpha(level)
    v = np.asarray(n, dtype=float) * rho2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(2.0 * (v + 1.0) / v * np.log(np.sqrt(v + 1.0) / a))


def anytime_p(z, n, rho2):
    """Always-valid p-value of a z statistic at sample size ``n`` (not yet running-minimised).

    Notes
    -----
    The smallest :math:`\\alpha` whose CS (at fixed :math:`\\rho`) excludes 0:
    solving :math:`z^2 = c_t^2` for :math:`\\alpha` gives
    :math:`p_t = \\min\\{1, \\sqrt{1+t\\rho^2}\\,\\exp[-z^2 t\\rho^2 / (2(1+t\\rho^2))]\\}`,
    the reciprocal of the mixture martingale. The running minimum over looks
    is an anytime-valid p-value.
    """
    v = np.asarray(n, dtype=float) * rho2
    return np.minimum(1.0, np.sqrt(1.0 + v) * np.exp(-np.asarray(z, dtype=float) ** 2 * v / (2.0 * (1.0 + v))))


def _arm_codes(arm, control, arm_col, src):
    """Integer arm codes with the control first (0); validates labels."""
    codes, uniques = pd.factorize(arm, sort=False)
    if (codes < 0).any():
        rows = (np.flatnonzero(codes < 0)[:5] + 1).tolist()
        raise DataError(f"{src}: column {arm_col!r} has {int((codes < 0).sum())} missing arm labels "
                        f"(rows {rows}, 1-based)")
    uniques = list(uniques)
    if control not in uniques:
        raise DataError(f"{src}: control label {control!r} does not occur in column {arm_col!r}; "
                        f"labels present: {sorted(map(str, uniques))}")
    if len(uniques) < 2:
        raise DataError(f"{src}: column {arm_col!r} holds only the control arm {control!r}")
    others = sorted((u for u in uniques if u != control), key=str)
    labels = [control, *others]
    remap = np.array([labels.index(u) for u in uniques], dtype=np.int64)
    return remap[codes], labels


def _numeric(s, col, src):
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise DataError(f"{src}: outcome {col!r} is not numeric")
    y = s.to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise DataError(f"{src}: outcome {col!r} has {bad.size} missing/infinite values "
                        f"(rows {(bad[:5] + 1).tolist()}, 1-based)")
    return y


def _cs_core(nt, s1t, s2t, nc, s1c, s2c, *, binary, level, rho2, min_n):
    """Per-look estimate, se, CS and naive interval from cumulative sums (any broadcastable shapes)."""
    z = stats.norm.isf(_alpha(level) / 2)
    ddof = 0.0 if binary else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        mt, mc = s1t / nt, s1c / nc
        vt = np.maximum(s2t - s1t * mt, 0.0) / (nt - ddof)
        vc = np.maximum(s2c - s1c * mc, 0.0) / (nc - ddof)
        se = np.sqrt(vt / nt + vc / nc)
    ok = (nt >= min_n) & (nc >= min_n) & (vt > 0) & (vc > 0)
    est = np.where(ok, mt - mc, np.nan)
    se = np.where(ok, se, np.nan)
    n = nt + nc
    half = cs_multiplier(n, rho2, level) * se
    with np.errstate(invalid="ignore"):
        p_any = np.where(ok, anytime_p(est / se, n, rho2), 1.0)
    return mt, mc, est, se, est - half, est + half, est - z * se, est + z * se, p_any


@dataclass
class SequentialResult:
    """Confidence sequence per arm and look.

    ``table`` has one row per arm and look: ``arm, look, time, n_treated,
    n_control, mean_treated, mean_control, estimate, se, ci_low, ci_high``
    (the always-valid CS), ``naive_ci_low, naive_ci_high`` (the fixed-horizon
    interval recomputed at each look, NOT valid under repeated looks),
    ``excludes_zero`` and ``p_anytime`` (running-minimum always-valid p-value).
    ``rho2`` and ``n_opt`` map each arm to its tuning parameter and the
    comparison size it was tuned for.
    """
    table: pd.DataFrame
    level: float
    rho2: dict
    n_opt: dict
    binary: bool

    def summary(self) -> pd.DataFrame:
        """One row per arm: first look at which the CS excludes 0, and the final CS beside the fixed-horizon CI.

        Columns ``arm, n_looks, first_look, first_time, n_at_first_look,
        naive_first_look, estimate, se, ci_low, ci_high, fixed_ci_low,
        fixed_ci_high, fixed_p, p_anytime, width_ratio`` (CS width over
        fixed-horizon width at the last look). ``first_look`` is 1-based and
        missing (<NA>) when the CS never excludes 0.
        """
        z = stats.norm.isf((1 - self.level) / 2)
        rows = []
        for arm, g in self.table.groupby("arm", sort=False):
            g = g.reset_index(drop=True)
            last = g.iloc[-1]
            hit = np.flatnonzero(g["excludes_zero"].to_numpy())
            naive = np.flatnonzero(((g["naive_ci_low"] > 0) | (g["naive_ci_high"] < 0)).to_numpy())
            first = int(hit[0]) if hit.size else None
            p_fixed = float(2 * stats.norm.sf(abs(last["estimate"] / last["se"]))) if last["se"] > 0 else np.nan
            rows.append({"arm": arm, "n_looks": len(g),
                         "first_look": pd.NA if first is None else first + 1,
                         "first_time": pd.NA if first is None else g.loc[first, "time"],
                         "n_at_first_look": pd.NA if first is None else int(g.loc[first, "n_treated"]
                                                                             + g.loc[first, "n_control"]),
                         "naive_first_look": pd.NA if not naive.size else int(naive[0]) + 1,
                         "estimate": last["estimate"], "se": last["se"],
                         "ci_low": last["ci_low"], "ci_high": last["ci_high"],
                         "fixed_ci_low": last["estimate"] - z * last["se"],
                         "fixed_ci_high": last["estimate"] + z * last["se"], "fixed_p": p_fixed,
                         "p_anytime": last["p_anytime"],
                         "width_ratio": (last["ci_high"] - last["ci_low"]) / (2 * z * last["se"])})
        out = pd.DataFrame(rows)
        for c in ("first_look", "n_at_first_look", "naive_first_look"):
            out[c] = out[c].astype("Int64")
        return out


def _build(times, arm_labels, control_idx, N, S1, S2, *, binary, level, n_opt, min_n):
    """Assemble the table from cumulative (arm, look) sums; rho is tuned per comparison (arm + control)."""
    _alpha(level)
    parts, rho2s, n_opts = [], {}, {}
    c = control_idx
    for a in range(len(arm_labels)):
        if a == c:
            continue
        n_pair = float(N[a, -1] + N[c, -1]) if n_opt is None else float(n_opt)
        if n_pair <= 0:
            raise DataError(f"no customers of arm {arm_labels[a]!r} or the control arrive by the last look")
        rho2 = float(optimal_rho2(n_pair, level))
        out = _cs_core(N[a], S1[a], S2[a], N[c], S1[c], S2[c], binary=binary, level=level, rho2=rho2, min_n=min_n)
        mt, mc, est, se, lo, hi, nlo, nhi, p_any = out
        name = str(arm_labels[a])
        rho2s[name], n_opts[name] = rho2, n_pair
        parts.append(pd.DataFrame({
            "arm": name, "look": np.arange(1, len(times) + 1), "time": times,
            "n_treated": N[a].astype(np.int64), "n_control": N[c].astype(np.int64),
            "mean_treated": mt, "mean_control": mc, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi,
            "naive_ci_low": nlo, "naive_ci_high": nhi, "excludes_zero": (lo > 0) | (hi < 0),
            "p_anytime": np.minimum.accumulate(p_any)}))
    return SequentialResult(pd.concat(parts, ignore_index=True), level, rho2s, n_opts, binary)


def confidence_sequence(df, arm_col, control, outcome, time_col, *, looks=None, binary=None, level=0.95,
                        n_opt=None, min_n=30):
    """Always-valid confidence sequence for each arm vs control, one interval per look.

    Parameters
    ----------
    df : DataFrame, one row per customer
    arm_col, control : arm column and the control label
    outcome : numeric outcome column (0/1 for a difference in proportions)
    time_col : arrival time (day number, date or timestamp) of each customer
    looks : times of the looks (a customer is counted at every look at or after
        its arrival); default the sorted distinct arrival times (daily looks
        for daily data). Customers arriving after the last look are not used.
    binary : treat the outcome as 0/1 (variance :math:`p(1-p)`, the Wald form);
        default: True when the outcome holds only 0 and 1.
    level : coverage of the CS over all looks simultaneously
    n_opt : size of each comparison (arm + control customers) at which the CS
        is narrowest; default that comparison's size at the last look (the
        planned size when the experiment runs its course). It must not depend
        on the outcomes.
    min_n : looks with fewer than ``min_n`` customers in an arm (or a zero
        sample variance) have no interval (NaN).

    Returns
    -------
    SequentialResult
        ``.table`` per arm and look, ``.summary()`` per arm.

    Notes
    -----
    At each look with :math:`n_t` treated and :math:`n_c` control customers,
    :math:`\\hat\\Delta = \\bar y_t - \\bar y_c`,
    :math:`se = \\sqrt{s_t^2/n_t + s_c^2/n_c}` and the CS is
    :math:`\\hat\\Delta \\pm c_n\\,se` with :math:`n = n_t + n_c` and
    :math:`c_n` of :func:`cs_multiplier`. This is Theorem 2.2 of Waudby-Smith
    et al. (2024) applied to the influence function of the difference in means
    under randomisation, :math:`\\psi_i = T_i(Y_i-\\mu_1)/\\pi - (1-T_i)(Y_i-\\mu_0)/(1-\\pi)`,
    whose sample variance is :math:`n\\,se^2` (their section 3 treats
    randomised experiments through this influence function). The guarantee is
    asymptotic: very early looks are excluded by ``min_n`` and are anyway very
    wide because :math:`\\rho` is tuned for ``n_opt``. Multiple arms: each
    comparison has coverage ``level`` (no multiplicity correction; pass
    ``level = 1 - alpha / (k - 1)`` for Bonferroni over k - 1 arms).
    """
    src = "confidence_sequence"
    for c in (arm_col, outcome, time_col):
        if c not in df.columns:
            raise DataError(f"{src}: column {c!r} not found; columns are {list(df.columns)}")
    codes, labels = _arm_codes(df[arm_col], control, arm_col, src)
    y = _numeric(df[outcome], outcome, src)
    tm = df[time_col]
    if tm.isna().any():
        raise DataError(f"{src}: time column {time_col!r} has {int(tm.isna().sum())} missing values "
                        f"(rows {[int(i) + 1 for i in np.flatnonzero(tm.isna().to_numpy())[:5]]}, 1-based)")
    if binary is None:
        binary = bool(np.isin(y, [0.0, 1.0]).all())
    tv = tm.to_numpy()
    if looks is None:  # hashing gives the sorted looks and each customer's first look in one pass
        li, looks = pd.factorize(tv, sort=True)
        looks = np.asarray(looks)
    else:
        looks = np.sort(np.asarray(looks, dtype=tv.dtype))
        li = np.searchsorted(looks, tv, side="left")  # first look at which the customer is counted
    if looks.size == 0:
        raise ParameterError("looks is empty")
    keep = li < looks.size
    k, nl = len(labels), looks.size
    key = codes[keep] * nl + li[keep]
    yk = y[keep] - (y[keep].mean() if not binary and keep.any() else 0.0)  # centring: stable sums of squares
    N = np.bincount(key, minlength=k * nl).reshape(k, nl).cumsum(axis=1).astype(float)
    S1 = np.bincount(key, weights=yk, minlength=k * nl).reshape(k, nl).cumsum(axis=1)
    S2 = S1 if binary else np.bincount(key, weights=yk * yk, minlength=k * nl).reshape(k, nl).cumsum(axis=1)
    res = _build(looks, labels, 0, N, S1, S2, binary=binary, level=level, n_opt=n_opt, min_n=min_n)
    if not binary and keep.any():  # undo the centring of the reported arm means
        shift = y[keep].mean()
        res.table["mean_treated"] += shift
        res.table["mean_control"] += shift
    return res


def confidence_sequence_from_aggregates(agg, arm_col, control, time_col, *, n_col="n", sum_col="sum",
                                        sumsq_col=None, cumulative=False, binary=None, level=0.95, n_opt=None,
                                        min_n=30):
    """:func:`confidence_sequence` from per-(time, arm) counts and sums instead of customers.

    ``agg`` has one row per look time and arm with the number of customers
    (``n_col``), the sum of the outcome (``sum_col``) and, for a continuous
    outcome, the sum of squares (``sumsq_col``); these are daily increments, or
    running totals with ``cumulative=True``. A binary outcome needs no sum of
    squares (``sumsq_col=None`` implies ``binary=True``). Missing (time, arm)
    rows count as zero new customers.
    """
    for c in [arm_col, time_col, n_col, sum_col] + ([sumsq_col] if sumsq_col else []):
        if c not in agg.columns:
            raise DataError(f"aggregates: column {c!r} not found; columns are {list(agg.columns)}")
    binary = (sumsq_col is None) if binary is None else bool(binary)
    if not binary and sumsq_col is None:
        raise ParameterError("a continuous outcome needs sumsq_col (the sum of squared outcomes)")
    arms = check_experiment(agg, arm_col, control, source="aggregates")
    labels = [control, *arms]
    cols = [n_col, sum_col] + ([sumsq_col] if sumsq_col else [])
    wide = agg.pivot_table(index=time_col, columns=arm_col, values=cols, aggfunc="sum", observed=True).sort_index()
    wide = wide.reindex(columns=pd.MultiIndex.from_product([cols, labels]))
    if cumulative:
        wide = wide.ffill().fillna(0.0)
    else:
        wide = wide.fillna(0.0).cumsum()

    def block(c):
        return wide[c].to_numpy(dtype=float).T  # (arms, looks)

    N, S1 = block(n_col), block(sum_col)
    if (np.diff(N, axis=1) < 0).any() or (N < 0).any():
        raise DataError(f"aggregates: column {n_col!r} gives decreasing running totals; "
                        f"set cumulative={not cumulative} if the counts are "
                        f"{'daily increments' if cumulative else 'running totals'}")
    S2 = S1 if binary else block(sumsq_col)
    return _build(wide.index.to_numpy(), labels, 0, N, S1, S2, binary=binary, level=level, n_opt=n_opt,
                  min_n=min_n)


def sequential_error_rates(n_reps=1000, n_looks=50, n_per_look=200, *, outcome="binary", p_control=0.1,
                           mean_control=50.0, sd=20.0, effect=0.0, share_treated=0.5, level=0.95, n_opt=None,
                           min_n=30, seed=None):
    """Simulated time-uniform error of the CS and of naive repeated testing with daily looks.

    Each repetition is an experiment with ``n_per_look`` new customers per
    look, randomised to treatment with probability ``share_treated``; the
    outcome is Bernoulli(``p_control`` + effect x T) (``outcome="binary"``) or
    Normal(``mean_control`` + effect x T, ``sd``) (``"normal"``). Per-look
    counts and sums are drawn from their exact distributions (binomial;
    normal sum and chi-square sum of squares), so all repetitions and looks
    are vectorised.

    Returns a dict: ``cs_error`` (share of repetitions in which the CS misses
    the true effect at ANY look; with ``effect=0`` the type I error of
    stopping at the first look whose CS excludes 0), ``naive_error`` (the same
    for the fixed-horizon interval recomputed at every look), ``fixed_error``
    (fixed-horizon interval at the last look only), ``cs_called`` /
    ``naive_called`` (share that ever exclude 0), ``cs_mean_first_look``
    (mean first look at which the CS excludes 0, among those that do),
    ``mc_se`` (Monte Carlo standard error of a 0.05 rate), and the settings.
    """
    if outcome not in ("binary", "normal"):
        raise ParameterError(f"outcome must be 'binary' or 'normal', got {outcome!r}")
    if not 0 < share_treated < 1:
        raise ParameterError(f"share_treated must be in (0, 1), got {share_treated}")
    if outcome == "binary" and not (0 < p_control < 1 and 0 < p_control + effect < 1):
        raise ParameterError(f"p_control={p_control} and effect={effect} must give probabilities in (0, 1)")
    rng = np.random.default_rng(seed)
    shape = (n_reps, n_looks)
    nt = rng.binomial(n_per_look, share_treated, size=shape).astype(float)
    nc = n_per_look - nt
    if outcome == "binary":
        s1t = rng.binomial(nt.astype(np.int64), p_control + effect).astype(float)
        s1c = rng.binomial(nc.astype(np.int64), p_control).astype(float)
        s2t, s2c = s1t, s1c
    else:
        def draw(n, mu):  # exact joint law of (sum, sum of squares) of n iid N(mu, sd^2)
            s1 = n * mu + np.sqrt(n) * sd * rng.standard_normal(shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                s2 = sd**2 * rng.chisquare(np.maximum(n - 1, 1)) * (n > 1) + np.where(n > 0, s1**2 / n, 0.0)
            return s1, s2
        s1t, s2t = draw(nt, mean_control + effect)
        s1c, s2c = draw(nc, mean_control)
    NT, NC = nt.cumsum(1), nc.cumsum(1)
    S1T, S1C, S2T, S2C = s1t.cumsum(1), s1c.cumsum(1), s2t.cumsum(1), s2c.cumsum(1)
    n_last = float(n_looks * n_per_look) if n_opt is None else float(n_opt)
    rho2 = float(optimal_rho2(n_last, level))
    _, _, _, _, lo, hi, nlo, nhi, _ = _cs_core(NT, S1T, S2T, NC, S1C, S2C, binary=outcome == "binary",
                                               level=level, rho2=rho2, min_n=min_n)
    with np.errstate(invalid="ignore"):
        miss_cs = (lo > effect) | (hi < effect)
        miss_naive = (nlo > effect) | (nhi < effect)
        call_cs = (lo > 0) | (hi < 0)
        call_naive = (nlo > 0) | (nhi < 0)
    first = np.where(call_cs.any(1), call_cs.argmax(1) + 1, 0)
    return {"cs_error": float(miss_cs.any(1).mean()), "naive_error": float(miss_naive.any(1).mean()),
            "fixed_error": float(miss_naive[:, -1].mean()),
            "cs_called": float(call_cs.any(1).mean()), "naive_called": float(call_naive.any(1).mean()),
            "cs_mean_first_look": float(first[first > 0].mean()) if (first > 0).any() else float("nan"),
            "mc_se": float(np.sqrt(0.05 * 0.95 / n_reps)), "n_reps": n_reps, "n_looks": n_looks,
            "n_per_look": n_per_look, "outcome": outcome, "effect": effect, "level": level, "rho2": rho2}
