"""Churn early warning: calibrated classifiers, lift/gain, risk x value ranking.

Two model families (gradient boosting and a scaled logistic regression), each
wrapped in probability calibration and assessed out of fold: ROC AUC,
PR-AUC (average precision), Brier score, a calibration table and a
lift / cumulative-gain table. Customers are then ranked by expected value at
risk = P(churn) x value, with pseudonymous ids only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from crmlab.core.errors import DataError, ParameterError, file_rows

__all__ = [
    "MODELS",
    "ChurnModelResult",
    "auc_interval",
    "calibration_table",
    "churn_models",
    "identifier_like_columns",
    "lift_table",
    "make_model",
    "risk_value_ranking",
]


def _sklearn_seed(seed):
    """``seed`` for scikit-learn's ``random_state``: an int (or None) as is; a numpy Generator gives an int."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**31 - 1))
    return seed


def _preprocessor(X: pd.DataFrame, scale: bool):
    cat = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]
    num = [c for c in X.columns if c not in cat]
    num_step = StandardScaler() if scale else "passthrough"
    return ColumnTransformer([("num", num_step, num),
                              ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat)])


def make_model(name, X: pd.DataFrame, *, seed=None, calibration="isotonic", cv=3):
    """Unfitted calibrated pipeline. ``name`` in :data:`MODELS`; ``seed`` (int or numpy Generator) fixes
    the boosting model's random state."""
    if name == "gbm":
        base = make_pipeline(_preprocessor(X, False),
                             HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=15,
                                                            min_samples_leaf=40, l2_regularization=1.0,
                                                            random_state=_sklearn_seed(seed)))
    elif name == "logistic":
        base = make_pipeline(_preprocessor(X, True), LogisticRegression(C=1.0, max_iter=2000))
    else:
        raise ParameterError(f"model must be one of {sorted(MODELS)}, got {name!r}")
    if calibration in (None, "none"):
        return base
    return CalibratedClassifierCV(base, method=calibration, cv=cv)


#: registry of model names
MODELS = {"gbm": "histogram gradient boosting", "logistic": "logistic regression (standardised)"}


def identifier_like_columns(X: pd.DataFrame, *, max_unique_share: float = 0.9) -> list[str]:
    """Text columns whose values are (almost) all distinct: ids, e-mails, phones, names.

    Such a column carries no signal a model can generalise from (one-hot encoding
    gives every customer a private feature) and it holds personal data, so the churn
    models leave it out. A column is identifier-like when it is not numeric and its
    distinct non-missing values exceed ``max_unique_share`` of its non-missing values.
    """
    out = []
    for col in X.columns:
        s = X[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        n = int(s.notna().sum())
        if n and s.nunique(dropna=True) / n > max_unique_share:
            out.append(col)
    return out


def auc_interval(y, p, *, level=0.95) -> dict:
    """ROC AUC with its DeLong interval.

    Returns ``{"auc", "se", "ci_low", "ci_high"}``; the interval is the normal one on the AUC scale,
    clipped to [0, 1].

    Notes
    -----
    With ``m`` churners (scores :math:`x_i`) and ``n`` others (:math:`y_j`),
    :math:`\\psi(x, y) = 1[x > y] + \\tfrac12 1[x = y]`, AUC :math:`= \\frac{1}{mn}\\sum_{ij}\\psi(x_i, y_j)`
    and the structural components :math:`V_{10}(x_i) = \\frac1n\\sum_j \\psi(x_i, y_j)`,
    :math:`V_{01}(y_j) = \\frac1m\\sum_i \\psi(x_i, y_j)` give
    :math:`\\mathrm{Var} = s^2(V_{10})/m + s^2(V_{01})/n` (DeLong, DeLong & Clarke-Pearson 1988), computed
    from mid-ranks in :math:`O(N \\log N)` (Sun & Xu 2014). The variances :math:`s^2` divide by the
    number of terms, as R's ``survival::concordance`` does for a binary outcome (its infinitesimal
    jackknife variance equals this one).
    """
    from scipy.stats import norm, rankdata

    y = np.asarray(y)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise DataError("y and p must be 1-d and of equal length")
    if not 0 < level < 1:
        raise ParameterError(f"level must be a confidence level in (0, 1), got {level!r}")
    pos, neg = p[y == 1], p[y == 0]
    m, n = pos.size, neg.size
    if m == 0 or n == 0:
        raise DataError("the AUC needs both churners and customers who stayed")
    r_all = rankdata(np.r_[pos, neg])
    v10 = (r_all[:m] - rankdata(pos)) / n
    v01 = 1.0 - (r_all[m:] - rankdata(neg)) / m
    auc = float(v10.mean())
    se = float(np.sqrt(v10.var() / m + v01.var() / n))
    z = norm.ppf(0.5 + level / 2)
    return {"auc": auc, "se": se, "ci_low": float(max(0.0, auc - z * se)), "ci_high": float(min(1.0, auc + z * se))}


@dataclass
class ChurnModelResult:
    """Out-of-fold metrics per model, the out-of-fold churn probabilities, and the
    identifier-like columns left out of the predictors."""
    metrics: pd.DataFrame
    oof: pd.DataFrame = field(repr=False)
    best: str = ""
    dropped: list = field(default_factory=list)


def churn_models(X: pd.DataFrame, y, *, models=("gbm", "logistic"), n_folds=5, calibration="isotonic",
                 seed=None, n_threads=1):
    """Cross-validated, calibrated churn models.

    Each model is refitted on K-1 folds (with internal calibration CV) and
    scores the held-out fold, so every customer gets an honest probability.

    Notes
    -----
    AUC = P(score of a churner > score of a non-churner); PR-AUC is average
    precision :math:`\\sum_n (R_n - R_{n-1}) P_n`; Brier =
    :math:`\\frac1n\\sum (p_i - y_i)^2` (Brier 1950). Calibration: isotonic
    or Platt (sigmoid) on internal folds (Niculescu-Mizil & Caruana 2005).
    Metrics are pooled over the out-of-fold predictions; ``auc_ci_low`` /
    ``auc_ci_high`` is the 95% DeLong interval of the pooled AUC
    (:func:`auc_interval`), ``auc_fold_sd`` the spread across folds. ``n_threads`` caps OpenMP threads of the
    boosting model (1 avoids oversubscription when tests or notebooks run in
    parallel; None leaves the library default). ``seed`` (int or numpy
    Generator) fixes the folds and the boosting model.
    """
    with threadpool_limits(limits=n_threads, user_api="openmp"):
        return _churn_models(X, y, models, n_folds, calibration, _sklearn_seed(seed))


def _churn_models(X, y, models, n_folds, calibration, seed):
    if not isinstance(X, pd.DataFrame):
        raise DataError("X must be a DataFrame of predictors")
    y = np.asarray(y)
    if not np.isin(y, [0, 1]).all():
        rows = np.flatnonzero(~np.isin(y, [0, 1]))
        raise DataError(f"churn target must be 0/1; it holds {y[rows[:5]].tolist()} at {file_rows(rows)}")
    y = y.astype(int)
    if y.min() == y.max():
        raise DataError(f"every one of the {y.size:,} customers has the same churn label "
                        f"({'churned' if y[0] else 'still a customer'}): there is nothing for a churn model to "
                        "learn")
    if min(int(y.sum()), int((1 - y).sum())) < n_folds:
        raise DataError(f"too few customers to cross-validate the churn models: {int(y.sum())} churned and "
                        f"{int((1 - y).sum())} stayed, but each of the {n_folds} folds needs at least one of each "
                        "(parameter cv_folds)")
    dropped = identifier_like_columns(X)
    X = X.drop(columns=dropped)
    if X.shape[1] == 0:
        raise DataError(f"no predictors left: every column is identifier-like ({dropped})")
    na = X.isna().any(axis=1).to_numpy()
    if na.any():
        bad = X.columns[X.isna().any()].tolist()
        raise DataError(f"predictors {bad} have missing values at {file_rows(np.flatnonzero(na))} (leave such "
                        "columns out with the parameter churn_exclude, or fill them in)")
    skf = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    oof = pd.DataFrame(index=X.index)
    rows = []
    for name in models:
        p = np.empty(len(y))
        fold_auc = []
        for tr, te in skf.split(X, y):
            m = make_model(name, X, seed=seed, calibration=calibration).fit(X.iloc[tr], y[tr])
            p[te] = m.predict_proba(X.iloc[te])[:, 1]
            fold_auc.append(roc_auc_score(y[te], p[te]))
        oof[name] = p
        ci = auc_interval(y, p)
        rows.append({"model": name, "auc": roc_auc_score(y, p), "auc_ci_low": ci["ci_low"],
                     "auc_ci_high": ci["ci_high"], "auc_fold_sd": float(np.std(fold_auc, ddof=1)),
                     "pr_auc": average_precision_score(y, p), "brier": brier_score_loss(y, p),
                     "base_rate": float(y.mean())})
    metrics = pd.DataFrame(rows)
    best = str(metrics.loc[metrics["brier"].idxmin(), "model"])
    return ChurnModelResult(metrics, oof, best, dropped)


def lift_table(y, p, *, n_bins=10):
    """Lift and cumulative gain by score decile (bin 1 = highest risk).

    Notes
    -----
    Customers sorted by decreasing p and cut into ``n_bins`` equal groups
    (sizes differ by at most one). lift = churn rate in the bin / overall
    rate; cumulative gain = share of all churners captured in bins 1..j.
    """
    y = np.asarray(y, dtype=float)
    order = np.argsort(-np.asarray(p, dtype=float), kind="mergesort")
    ys = y[order]
    bins = np.array_split(np.arange(y.size), n_bins)
    rate = y.mean()
    rows, cum = [], 0.0
    for j, idx in enumerate(bins, 1):
        ev = ys[idx].sum()
        cum += ev
        rows.append({"bin": j, "n": idx.size, "churners": int(ev), "churn_rate": ev / idx.size,
                     "lift": ev / idx.size / rate, "share_targeted": (idx[-1] + 1) / y.size,
                     "cumulative_gain": cum / y.sum()})
    return pd.DataFrame(rows)


def calibration_table(y, p, *, n_bins=10):
    """Mean predicted vs observed churn by predicted-probability quantile bin."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    q = pd.qcut(p, n_bins, duplicates="drop")
    g = pd.DataFrame({"y": y, "p": p, "bin": q}).groupby("bin", observed=True)
    out = g.agg(n=("y", "size"), mean_predicted=("p", "mean"), observed=("y", "mean")).reset_index(drop=True)
    return out


def risk_value_ranking(ids, p_churn, value, *, top=20):
    """Customers ranked by expected value at risk = P(churn) x value.

    ``ids`` are pseudonymised with :func:`crmlab.core.privacy.pseudonymize` before
    they enter the table. Returns ``customer, p_churn, value,
    value_at_risk, rank`` for the ``top`` customers.
    """
    from crmlab.core.privacy import pseudonymize

    p = np.asarray(p_churn, dtype=float)
    v = np.asarray(value, dtype=float)
    if p.shape != v.shape or len(ids) != p.size:
        raise DataError("ids, p_churn and value must have equal length")
    if np.isnan(v).any():
        raise DataError(f"value has missing entries at rows {np.flatnonzero(np.isnan(v))[:5].tolist()}")
    df = pd.DataFrame({"customer": pseudonymize(pd.Series(list(ids))).to_numpy(), "p_churn": p, "value": v})
    df["value_at_risk"] = df["p_churn"] * df["value"]
    df = df.sort_values("value_at_risk", ascending=False, kind="mergesort").head(top).reset_index(drop=True)
    df["rank"] = np.arange(1, len(df) + 1)
    return df
