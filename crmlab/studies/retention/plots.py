"""Figures of study 4, labelled in the current report language (values through :func:`term`)."""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import numpy as np
import pandas as pd

from crmlab.churn import calibration_table, lift_table
from crmlab.report.i18n import pick, term
from crmlab.studies.retention.text import (
    arm_name,
    learner_name,
    model_name,
    money_header,
    term_label,
    time_header,
    zph_ylabel,
)


def plot_power_curve(curves: pd.DataFrame, *, target: float = 0.8, ax=None):
    """Power against the total number of customers (log scale), one line per rate ``effect``
    (from :func:`crmlab.studies.retention.steps.power_curves`), with the target power dashed."""
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6.5, 4))
    for effect, g in curves.groupby("effect", sort=False):
        ax.plot(g["n_total"], g["power"], label=pick(en=f"rate +{100 * effect:g} pp",
                                                     zh=f"比率 +{100 * effect:g} 个百分点"))
    ax.axhline(target, color="grey", ls="--", lw=1)
    ax.set_xlabel(pick(en="customers in the experiment", zh="实验客户总数"))
    ax.set_ylabel(pick(en="power", zh="统计功效"))
    ax.set_ylim(0, 1.01)
    ax.set_xscale("log")
    ax.legend(fontsize=8)
    return ax.figure


def plot_love(balance: pd.DataFrame, *, threshold: float = 0.1, ax=None):
    """Love plot: |SMD| per covariate and arm (:func:`crmlab.experiments.balance_table`), threshold dashed."""
    covs = list(dict.fromkeys(balance["covariate"]))
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6, 0.28 * len(covs) + 1.2))
    ypos = {c: i for i, c in enumerate(covs)}
    for arm, g in balance.groupby("arm", sort=False):
        ax.scatter(g["smd"].abs(), g["covariate"].map(ypos), label=arm_name(arm), s=22)
    ax.set_yticks(range(len(covs)), [term_label(c) for c in covs], fontsize=8)
    ax.axvline(threshold, color="grey", ls="--", lw=1)
    ax.set_xlabel(pick(en="|standardized mean difference| vs control", zh="与对照组的 |标准化均值差|"))
    ax.legend(fontsize=8)
    return ax.figure


def plot_effects(table: pd.DataFrame, *, label_cols=("arm", "outcome"), level: float = 0.95, title: str = "",
                 ax=None, pp: bool = False):
    """Forest plot of effects with their ``level`` intervals (rows labelled by ``label_cols``); ``pp`` shows
    differences of rates in percentage points."""
    labels = table[list(label_cols)].astype(str).apply(
        lambda c: c.map(arm_name if c.name == "arm" else term)).agg(" | ".join, axis=1).tolist()
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(labels) + 1.2))
    y = np.arange(len(labels))[::-1]
    k = 100.0 if pp else 1.0
    est = k * table["estimate"].to_numpy()
    ax.errorbar(est, y, xerr=[est - k * table["ci_low"].to_numpy(), k * table["ci_high"].to_numpy() - est],
                fmt="o", capsize=3)
    ax.axvline(0, color="grey", ls="--", lw=1)
    ax.set_yticks(y, labels, fontsize=8)
    unit = pick(en=", percentage points", zh="，百分点") if pp else ""
    ax.set_xlabel(pick(en=f"effect vs control ({level:.0%} CI{unit})",
                       zh=f"相对对照组的效应（{level:.0%} 置信区间{unit}）"))
    if title:
        ax.set_title(title)
    return ax.figure


def plot_rate_effects(itt: pd.DataFrame, *, level: float = 0.95):
    """Forest plot of the effects on the binary (rate) outcomes of :func:`crmlab.experiments.itt_effects`."""
    return plot_effects(itt[itt["kind"] == "binary"], level=level, pp=True,
                        title=pick(en="effects on rates", zh="各比率指标的效应"))


def plot_segment_effects(seg: pd.DataFrame, arm, outcome: str, *, level: float = 0.95):
    """Forest plot of :func:`crmlab.experiments.segment_effects` of ``arm`` on ``outcome``."""
    binary = "kind" in seg.columns and (seg["kind"] == "binary").all()
    return plot_effects(seg, label_cols=("segment", "level"), level=level, pp=bool(binary),
                        title=pick(en=f"{arm_name(arm)}: effect on {term(outcome)} by segment",
                                   zh=f"{arm_name(arm)}：对{term(outcome)}的效应（按客户细分）"))


def plot_qini(curves: dict, *, outcome: str | None = None, ax=None):
    """Qini curves (learner name -> :func:`crmlab.uplift.qini_curve` frame) with random targeting dashed."""
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6, 4))
    for name, c in curves.items():
        ax.plot(c["fraction"], c["qini"], label=learner_name(name))
    c = next(iter(curves.values()))
    ax.plot(c["fraction"], c["random"], color="grey", ls="--", label=pick(en="random targeting", zh="随机投放"))
    ax.set_xlabel(pick(en="share of customers targeted (by predicted uplift)", zh="投放客户比例（按预测增益从高到低）"))
    what = term(outcome) if outcome else pick(en="outcome", zh="结果")
    ax.set_ylabel(pick(en=f"incremental {what} (Qini)", zh=f"{what}增量（Qini）"))
    ax.legend(fontsize=8)
    return ax.figure


def plot_policy(table: pd.DataFrame, *, ax=None):
    """Net value (with its interval) and ROI against the share contacted (:func:`crmlab.uplift.policy_value`)."""
    if ax is None:
        _fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    a, b = np.atleast_1d(ax)[:2]
    a.plot(table["fraction"], table["net_value"], marker="o", ms=3)
    a.fill_between(table["fraction"], table["ci_low"], table["ci_high"], alpha=0.2)
    a.axhline(0, color="grey", lw=1, ls="--")
    a.set_xlabel(pick(en="share contacted (top by predicted uplift)", zh="联系客户比例（按预测增益从高到低）"))
    a.set_ylabel(money_header(pick(en="net value per customer", zh="每位客户的净价值")))
    b.plot(table["fraction"], table["roi"], marker="o", ms=3, color="C1")
    b.axhline(0, color="grey", lw=1, ls="--")
    b.set_xlabel(pick(en="share contacted", zh="联系客户比例"))
    b.set_ylabel(pick(en="ROI (net value / contact cost)", zh="ROI（净价值 / 联系成本）"))
    return a.figure


def plot_km(km, *, duration_col: str | None = None, ci: bool = True, ax=None):
    """Kaplan-Meier step curves (:func:`crmlab.survival.kaplan_meier`) with pointwise bands; the x axis is
    ``duration_col`` (default: tenure in months)."""
    if ax is None:
        _fig, ax = plt.subplots(figsize=(6.5, 4))
    for s, g in km.table.groupby("stratum", sort=False):
        x = np.concatenate([[0], g["time"]])
        line = ax.step(x, np.concatenate([[1], g["survival"]]), where="post", label=term(s))[0]
        if ci:
            ax.fill_between(x, np.concatenate([[1], g["ci_low"]]), np.concatenate([[1], g["ci_high"]]),
                            step="post", alpha=0.2, color=line.get_color())
    ax.set_xlabel(time_header(term(duration_col) if duration_col else pick(en="time as a customer", zh="客户时长")))
    ax.set_ylabel(pick(en="share still a customer", zh="仍为客户的比例（生存率）"))
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    return ax.figure


def plot_calibration(y, probs: dict, *, n_bins: int = 10, ax=None):
    """Reliability diagram for one or more churn models (name -> out-of-fold probabilities)."""
    if ax is None:
        _fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for name, p in probs.items():
        c = calibration_table(y, p, n_bins=n_bins)
        ax.plot(c["mean_predicted"], c["observed"], marker="o", label=model_name(name))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1)
    ax.set_xlabel(pick(en="predicted churn probability", zh="预测流失概率"))
    ax.set_ylabel(pick(en="observed churn rate", zh="实际流失率"))
    ax.legend(fontsize=8)
    return ax.figure


def plot_gain(y, probs: dict, *, ax=None):
    """Cumulative gain chart: share of churners caught against share targeted, highest risk first."""
    if ax is None:
        _fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for name, p in probs.items():
        lt = lift_table(y, p, n_bins=20)
        ax.plot(np.r_[0, lt["share_targeted"]], np.r_[0, lt["cumulative_gain"]], marker=".", label=model_name(name))
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label=pick(en="random", zh="随机"))
    ax.set_xlabel(pick(en="share of customers targeted (highest risk first)", zh="覆盖客户比例（风险从高到低）"))
    ax.set_ylabel(pick(en="share of churners reached", zh="捕获的流失客户比例"))
    ax.legend(fontsize=8)
    return ax.figure


def plot_churn_models(y, churn) -> plt.Figure:
    """Calibration (left) and cumulative gain (right) of every model of a
    :class:`~crmlab.churn.ChurnModelResult`, out of fold."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    probs = {m: churn.oof[m] for m in churn.oof}
    plot_calibration(y, probs, ax=axes[0])
    plot_gain(y, probs, ax=axes[1])
    return fig


# --------------------------------------------------------------------------- figures added by issue #16
def plot_ph_residuals(zph, terms, duration_col: str | None = None):
    """Scaled Schoenfeld residuals of ``terms`` (:func:`crmlab.ph_test.plot_zph`), one panel each, two per row."""
    from crmlab.ph_test import plot_zph

    n = len(terms)
    cols = 1 if n == 1 else 2
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 if cols == 1 else 11, 3.6 * rows), squeeze=False)
    xlabel = time_header(term(duration_col) if duration_col else pick(en="time as a customer", zh="客户时长"))
    for ax, name in zip(axes.ravel(), terms):
        multi = name not in zph.coef.index
        plot_zph(zph, name, ax=ax, xlabel=xlabel, ylabel=zph_ylabel(name, multi), title=term_label(name))
        ax.set_ylim(*_residual_limits(zph, name))
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def _residual_limits(zph, name):
    """Y range showing the smooth and its band with the central 90% of the residuals (extreme residuals, which
    would flatten the curve, fall outside)."""
    from crmlab.ph_test import zph_smooth

    sm = zph_smooth(zph, name)
    lo, hi = np.nanquantile(zph.residuals[name], [0.05, 0.95])
    lo, hi = min(lo, sm["ci_low"].min()), max(hi, sm["ci_high"].max())
    pad = 0.05 * (hi - lo)
    return lo - pad, hi + pad


def plot_sequential(results: dict, summary: pd.DataFrame, *, level: float = 0.95):
    """Confidence sequences per outcome (one panel each): a band per arm over the looks, the fixed-horizon interval
    at the last look, and a dot where each effect could first be called."""
    n = len(results)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n + 0.8, 3.8), squeeze=False)
    for ax, (outcome, res) in zip(axes.ravel(), results.items()):
        t = res.table
        for i, (arm, g) in enumerate(t.groupby("arm", sort=False)):
            color = f"C{i}"
            x = _look_axis(g)
            ax.fill_between(x, g["ci_low"], g["ci_high"], color=color, alpha=0.2, step="post")
            ax.plot(x, g["estimate"], color=color, label=arm_name(arm), drawstyle="steps-post")
            last = g.iloc[-1]
            s = summary[(summary["outcome"] == outcome) & (summary["arm"] == arm)].iloc[0]
            xe = _after(x, 0.15 * (i + 1))
            ax.errorbar([xe], [last["estimate"]], yerr=[[last["estimate"] - s["fixed_ci_low"]],
                                                        [s["fixed_ci_high"] - last["estimate"]]],
                        color=color, fmt="s", ms=3, capsize=3)
            if pd.notna(s["first_look"]):
                k = int(s["first_look"]) - 1
                ax.plot([x[k]], [g["estimate"].iloc[k]], "o", color=color, ms=6, mec="black")
        ax.axhline(0, color="grey", ls="--", lw=1)
        ax.set_title(term(outcome))
        ax.set_xlabel(pick(en="look (arrival day)", zh="查看时点（进入日）"))
        x = _look_axis(t)
        if np.issubdtype(x.dtype, np.number):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            ax.tick_params(axis="x", labelrotation=30)
    axes[0, 0].set_ylabel(pick(en=f"effect vs control ({level:.0%} confidence sequence)",
                               zh=f"相对对照组的效应（{level:.0%} 置信序列）"))
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def _look_axis(table: pd.DataFrame) -> np.ndarray:
    """x positions of the looks: the times when numeric, dates when they read as dates, else the look numbers."""
    x = table["time"].to_numpy()
    if np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.datetime64):
        return x
    try:
        return pd.to_datetime(pd.Series(x)).to_numpy()
    except (ValueError, TypeError):
        return table["look"].to_numpy()


def _after(x, frac):
    """A position just right of the last look (numbers; for dates, the last date)."""
    if np.issubdtype(np.asarray(x).dtype, np.number) and len(x) > 1:
        return float(x[-1]) + frac * float(np.median(np.diff(x)))
    return x[-1]


def plot_budget(curve: pd.DataFrame, policy):
    """Held-out net value (with its band) and ROI against the budget; the chosen policy dashed."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    a.plot(curve["budget"], curve["net_value"], marker="o", ms=3)
    a.fill_between(curve["budget"], curve["ci_low"], curve["ci_high"], alpha=0.2)
    a.axhline(0, color="grey", lw=1, ls="--")
    a.set_ylabel(money_header(pick(en="held-out net value, total", zh="留出样本净价值（总额）")))
    b.plot(curve["budget"], curve["roi"], marker="o", ms=3, color="C1")
    b.axhline(0, color="grey", lw=1, ls="--")
    b.set_ylabel(pick(en="ROI (net value / cost)", zh="ROI（净价值 / 成本）"))
    for ax in (a, b):
        ax.axvline(policy.cost, color="black", lw=1, ls=":")
        ax.set_xlabel(money_header(pick(en="budget", zh="预算")))
    fig.tight_layout()
    return fig


def plot_cif(ci, truth: pd.DataFrame | None = None, duration_col: str | None = None):
    """Cumulative incidence step curves per reason (one panel each) and group; true curves dashed when given."""
    causes = list(dict.fromkeys(ci.table["cause"]))
    fig, axes = plt.subplots(1, len(causes), figsize=(5.2 * len(causes), 3.8), squeeze=False, sharey=True)
    groups = list(dict.fromkeys(ci.table["group"]))
    for ax, cause in zip(axes.ravel(), causes):
        for i, g in enumerate(groups):
            tab = ci.table[(ci.table["cause"] == cause) & (ci.table["group"] == g)]
            x = np.r_[0.0, tab["time"], ci.max_time[g]]
            y = np.r_[0.0, tab["cif"], tab["cif"].iloc[-1] if len(tab) else 0.0]
            ax.step(x, y, where="post", color=f"C{i}", label=term(g))
            if truth is not None:
                tr = truth[(truth["cause"] == cause) & (truth["group"] == g)]
                ax.plot(tr["time"], tr["cif"], color=f"C{i}", ls="--", lw=1)
        ax.set_title(term(cause))
        ax.set_xlabel(time_header(term(duration_col) if duration_col else pick(en="time as a customer",
                                                                              zh="客户时长")))
    axes[0, 0].set_ylabel(pick(en="share lost to this reason", zh="因该原因流失的比例（累积发生率）"))
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- contractual renewals (sBG)
def plot_sbg(curves: pd.DataFrame, duration_col: str | None = None):
    """Share still a customer per group and period: observed (steps) and the sBG model (dashed) where it fits."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for i, (g, c) in enumerate(curves.groupby("group", sort=False)):
        color = f"C{i}"
        ax.step(c["period"], c["observed"], where="post", color=color, label=term(g))
        if c["fitted"].notna().any():
            ax.plot(c["period"], c["fitted"], color=color, ls="--", lw=1.2,
                    label=pick(en=f"{term(g)}: sBG model", zh=f"{term(g)}：sBG 模型"))
    ax.set_xlabel(time_header(term(duration_col) if duration_col else pick(en="time as a customer", zh="客户时长")))
    ax.set_ylabel(pick(en="share still a customer", zh="仍为客户的比例"))
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    return fig
