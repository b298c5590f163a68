"""Figures for the satisfaction-loyalty study (matplotlib; return the Figure)."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_path_estimates", "plot_not_loyal", "plot_typology"]


def plot_path_estimates(boot_paths: pd.DataFrame, title: str = "PLS path coefficients"):
    """Dot-and-interval plot of path estimates with bootstrap percentile intervals."""
    import matplotlib.pyplot as plt

    t = boot_paths.iloc[::-1]
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(t) + 1.2))
    y = np.arange(len(t))
    ax.hlines(y, t["ci_low"], t["ci_high"], color="tab:blue", lw=2)
    ax.plot(t["original"], y, "o", color="tab:blue")
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(y, [k.replace("~", " ← ") for k in t.index])
    ax.set_xlabel("standardised path coefficient (95% bootstrap interval)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_not_loyal(table: pd.DataFrame, title: str = "Not loyal, by satisfaction level"):
    """Bars of the not-loyal share per satisfaction level with Wilson intervals."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    x = np.arange(len(table))
    share = table["share"].to_numpy(float)
    ax.bar(x, share, color="tab:red", alpha=0.7)
    err = np.vstack([share - table["ci_low"], table["ci_high"] - share])
    ax.errorbar(x, share, yerr=np.nan_to_num(err), fmt="none", color="black", capsize=4)
    for xi, (hi, n) in enumerate(zip(np.nan_to_num(table["ci_high"].to_numpy(float)), table["n"])):
        ax.text(xi, hi + 0.03, f"n={n}", ha="center", fontsize=8)
    ax.set_xticks(x, table["level"], rotation=15)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("share not loyal")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_typology(sat, loy, labels, satisfied_min, loyal_min, xlabel="satisfaction", ylabel="loyalty"):
    """Scatter of respondents coloured by Jones & Sasser type, with the cut-off lines."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    sat, loy = np.asarray(sat, float), np.asarray(loy, float)
    colours = {"apostle": "tab:blue", "mercenary": "tab:orange", "hostage": "tab:purple", "defector": "tab:red"}
    for lab in labels.cat.categories:
        m = (labels == lab).to_numpy()
        ax.scatter(sat[m] + rng.uniform(-0.2, 0.2, m.sum()), loy[m] + rng.uniform(-0.2, 0.2, m.sum()),
                   s=12, alpha=0.6, color=colours.get(lab), label=f"{lab} ({m.sum()})")
    ax.axvline(satisfied_min - 0.5, color="grey", ls="--", lw=0.8)
    ax.axhline(loyal_min - 0.5, color="grey", ls="--", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_title("Jones & Sasser typology")
    fig.tight_layout()
    return fig
