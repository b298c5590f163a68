"""Behavioural segmentation, customer portraits, lifecycle stages and early warning.

Clustering runs on standardised, log-transformed RFM features (optionally
with CLV and P(alive)); k is chosen by silhouette (k-means) or BIC
(Gaussian mixture) and stability is the bootstrap adjusted Rand index
(Hennig 2007): refit on resamples, predict every customer, compare with the
full-data partition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from crmlab.core.errors import DataError, ParameterError

__all__ = ["behaviour_features", "select_k", "best_k", "Clustering", "stability", "portraits",
           "lifecycle", "LIFECYCLE_RULES", "early_warning", "METHODS"]


def behaviour_features(table: pd.DataFrame, columns=("recency", "frequency", "monetary"),
                       log_columns=None) -> pd.DataFrame:
    """Standardised features: ``log1p`` of the non-negative columns, then z-scores.

    ``log_columns`` defaults to every column except ones named ``p_alive``
    (a probability, left on its scale).  Raises ``DataError`` on missing or
    negative values of a log-transformed column.
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"feature column(s) {missing} not found; columns are {list(table.columns)}")
    log_columns = [c for c in columns if not c.startswith("p_alive")] if log_columns is None else list(log_columns)
    X = table[list(columns)].astype(float).copy()
    for c in columns:
        bad = X[c].isna() | (X[c] < 0 if c in log_columns else False)
        if bad.any():
            raise DataError(f"feature '{c}' has {int(bad.sum())} missing or negative value(s), "
                            f"e.g. customers {list(X.index[bad][:5])}")
        if c in log_columns:
            X[c] = np.log1p(X[c])
        sd = X[c].std(ddof=0)
        X[c] = (X[c] - X[c].mean()) / (sd if sd > 0 else 1.0)
    return X


def _sklearn_seed(seed) -> int:
    """An int seed for scikit-learn from an int or a numpy Generator."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**31 - 1))
    return int(seed)


def _fit(method, X, k, seed):
    # small problems run much faster single-threaded (no OpenMP/BLAS start-up or oversubscription)
    with threadpool_limits(limits=1 if len(X) < 200_000 else None):
        return _fit_inner(method, X, k, seed)


def _fit_inner(method, X, k, seed):
    if method == "kmeans":
        m = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X)
    elif method == "gmm":
        m = GaussianMixture(n_components=k, covariance_type="full", n_init=3, random_state=seed).fit(X)
    else:
        raise ParameterError(f"method must be one of {sorted(METHODS)}; got {method!r}")
    return m


#: clustering method name -> criterion used to pick k (silhouette: highest wins; bic: lowest wins)
METHODS = {"kmeans": "silhouette", "gmm": "bic"}


def best_k(selection: pd.DataFrame, method: str) -> int:
    """The k that ``method``'s criterion picks from a :func:`select_k` table.

    Notes
    -----
    k-means: the k of the highest mean silhouette (Rousseeuw 1987); Gaussian mixture: the k of
    the lowest BIC (Fraley & Raftery 2002); a tie goes to the first k of the table. This is the only copy
    of the rule: :meth:`Clustering.fit` with ``k="auto"`` and a study comparing methods both use it.
    """
    if method not in METHODS:
        raise ParameterError(f"method must be one of {sorted(METHODS)}; got {method!r}")
    crit = selection[METHODS[method]]
    if crit.isna().all():
        raise DataError(f"no finite {METHODS[method]} in the selection table; cannot choose k for {method}")
    return int(crit.idxmax() if METHODS[method] == "silhouette" else crit.idxmin())


def _silhouette(X, labels, seed, sample):
    if len(np.unique(labels)) < 2:
        return float("nan")
    n = len(X)
    with threadpool_limits(limits=1):
        return float(silhouette_score(X, labels, sample_size=min(sample, n) if n > sample else None,
                                      random_state=seed))


def select_k(X, *, method: str = "kmeans", k_range=range(2, 9), seed=0, silhouette_sample: int = 4000):
    r"""Silhouette (and BIC for Gaussian mixtures) for each k in ``k_range``.

    Returns a DataFrame indexed by ``k`` with ``silhouette`` (on a random
    subsample of ``silhouette_sample`` customers for large data) and
    ``bic`` (Gaussian mixture only; NaN for k-means) and ``inertia`` (k-means).
    ``seed`` is an int or a numpy Generator.

    Notes
    -----
    Silhouette: mean over customers of :math:`(b_i - a_i) / \max(a_i, b_i)`, with :math:`a_i` the
    mean distance to the own cluster and :math:`b_i` to the nearest other one (Rousseeuw 1987);
    BIC :math:`= -2 \log L + p \log n` of the fitted mixture (Schwarz 1978).
    """
    if method not in METHODS:
        raise ParameterError(f"method must be one of {sorted(METHODS)}; got {method!r}")
    seed = _sklearn_seed(seed)
    X = np.asarray(X, dtype=float)
    ks = [int(k) for k in k_range]
    if not ks or min(ks) < 2 or max(ks) >= len(X):
        raise ParameterError(f"k_range must hold whole numbers between 2 and n-1 = {len(X) - 1}; got {ks}")
    rows = []
    for k in ks:
        m = _fit(method, X, k, seed)
        with threadpool_limits(limits=1 if len(X) < 200_000 else None):
            lab = m.predict(X)
        rows.append({"k": k, "silhouette": _silhouette(X, lab, seed, silhouette_sample),
                     "bic": float(m.bic(X)) if method == "gmm" else float("nan"),
                     "inertia": float(m.inertia_) if method == "kmeans" else float("nan")})
    return pd.DataFrame(rows).set_index("k")


class Clustering:
    """Behavioural clusters by k-means or a Gaussian mixture, with k chosen from the data.

    Parameters
    ----------
    k : int or "auto"
        Number of clusters; ``"auto"`` picks it with :func:`best_k` over ``k_range``.
    method : {"kmeans", "gmm"}
    k_range : iterable of int
        Candidate k for ``k="auto"``.
    seed : int or numpy Generator
    silhouette_sample : int
        Customers on which the silhouette is computed for large data.

    Attributes
    ----------
    k_ : int
        The number of clusters fitted.
    labels_ : Series
        Cluster per customer (index of the features), numbered 1..k by decreasing cluster size
        so they are stable across runs with the same seed.
    silhouette_ : float
        Mean silhouette of the fitted partition.
    selection_ : DataFrame
        :func:`select_k` table of the candidates (only ``k`` itself when k is fixed).
    model_ : fitted scikit-learn estimator

    Notes
    -----
    k-means with 10 starts (Lloyd's algorithm) or a full-covariance Gaussian mixture with 3 starts
    (EM); k by :func:`best_k`. Stability: :func:`stability` (Hennig 2007).
    """

    def __init__(self, k="auto", *, method: str = "kmeans", k_range=range(2, 9), seed=0,
                 silhouette_sample: int = 4000):
        self.k = k
        self.method = method
        self.k_range = k_range
        self.seed = seed
        self.silhouette_sample = silhouette_sample

    def fit(self, features: pd.DataFrame) -> "Clustering":
        """Fit on a customer-by-feature table (e.g. :func:`behaviour_features`); returns self."""
        if self.method not in METHODS:
            raise ParameterError(f"method must be one of {sorted(METHODS)}; got {self.method!r}")
        seed = _sklearn_seed(self.seed)
        X = features.to_numpy(dtype=float)
        k = self.k
        if k == "auto":
            sel = select_k(X, method=self.method, k_range=self.k_range, seed=seed,
                           silhouette_sample=self.silhouette_sample)
            k = best_k(sel, self.method)
        else:
            if not isinstance(k, (int, np.integer)) or k < 2:
                raise ParameterError(f"n_segments must be 'auto' or a whole number >= 2; got {k!r}")
            sel = select_k(X, method=self.method, k_range=[k], seed=seed, silhouette_sample=self.silhouette_sample)
        model = _fit(self.method, X, int(k), seed)
        with threadpool_limits(limits=1 if len(X) < 200_000 else None):
            raw = model.predict(X)
        order = pd.Series(raw).value_counts().index  # largest cluster -> 1
        relabel = {old: new for new, old in enumerate(order, start=1)}
        self.k_ = int(k)
        self.labels_ = pd.Series([relabel[v] for v in raw], index=features.index, name="cluster")
        self.silhouette_ = _silhouette(X, raw, seed, self.silhouette_sample)
        self.selection_ = sel
        self.model_ = model
        return self

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        if not hasattr(self, "k_"):
            return f"<p>{self.method} (not fitted)</p>"
        return (f"<p>{self.method}: k = {self.k_}, silhouette {self.silhouette_:.3f}</p>"
                + self.selection_.to_html(float_format=lambda v: f"{v:.3f}"))


def stability(features: pd.DataFrame, clustering: Clustering, *, n_boot: int = 20, seed=0) -> pd.Series:
    r"""Bootstrap adjusted Rand index of a fitted :class:`Clustering` (Hennig 2007).

    For each of ``n_boot`` resamples (with replacement) the method is refit
    with the same k and predicts every customer; the ARI with the full-data
    labels is recorded.  Values near 1 mean a reproducible partition.
    ``seed`` is an int or a numpy Generator.

    Notes
    -----
    ARI (Hubert & Arabie 1985): the Rand index corrected for chance agreement,
    :math:`(RI - E[RI]) / (\max RI - E[RI])`.
    """
    X = features.to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    ref = clustering.labels_.to_numpy()
    out = []
    for b in range(n_boot):
        idx = rng.integers(0, len(X), len(X))
        m = _fit(clustering.method, X[idx], clustering.k_, int(rng.integers(2**31 - 1)))
        with threadpool_limits(limits=1 if len(X) < 200_000 else None):
            out.append(adjusted_rand_score(ref, m.predict(X)))
    return pd.Series(out, name="ari")


def portraits(table: pd.DataFrame, labels: pd.Series, *, value_col: str | None = None) -> pd.DataFrame:
    """Customer portrait per segment: size, share, means of the numeric columns, share of value."""
    if len(labels) != len(table):
        raise DataError(f"labels ({len(labels)}) and table ({len(table)}) differ in length")
    lab = pd.Series(np.asarray(labels), index=table.index, name=labels.name or "segment")
    num = table.select_dtypes("number")
    g = num.groupby(lab, observed=True)
    out = g.mean()
    out.insert(0, "share", g.size() / len(table))
    out.insert(0, "customers", g.size())
    if value_col is not None:
        out["value_share"] = g[value_col].sum() / num[value_col].sum()
    out.index.name = lab.name
    return out


#: lifecycle rules, applied in this order (first match wins)
LIFECYCLE_RULES = pd.DataFrame(
    [
        ("lapsed", "P(alive) < lapsed_below"),
        ("new", "customer age T <= new_within (first purchase recent)"),
        ("declining", "P(alive) < declining_below, or fewer repeat purchases in the second half of the "
                      "customer's age than in the first half"),
        ("active/growing", "more repeat purchases in the second half than in the first half"),
        ("mature", "all others: alive and purchasing at a steady rate"),
    ],
    columns=["stage", "rule"],
)


def lifecycle(summary: pd.DataFrame, p_alive, *, new_within: float = 13.0, lapsed_below: float = 0.3,
              declining_below: float = 0.7) -> pd.Series:
    """Lifecycle stage per customer (new, active/growing, mature, declining, lapsed); see ``LIFECYCLE_RULES``.

    ``summary`` needs ``T``, ``frequency_early`` and ``frequency_late`` (from
    :func:`crmlab.transactions.summarize`); ``p_alive`` is one probability per customer.
    """
    if not 0 < lapsed_below <= declining_below < 1:
        raise ParameterError(f"need 0 < lapsed_below ({lapsed_below}) <= declining_below ({declining_below}) < 1")
    pa = np.asarray(p_alive, dtype=float)
    if len(pa) != len(summary) or np.isnan(pa).any():
        raise DataError("p_alive must hold one probability per customer of the summary")
    T = summary["T"].to_numpy()
    early, late = summary["frequency_early"].to_numpy(), summary["frequency_late"].to_numpy()
    stage = np.select(
        [pa < lapsed_below, T <= new_within, (pa < declining_below) | (late < early), late > early],
        ["lapsed", "new", "declining", "active/growing"], default="mature")
    return pd.Series(pd.Categorical(stage, categories=["new", "active/growing", "mature", "declining", "lapsed"]),
                     index=summary.index, name="lifecycle")


def early_warning(table: pd.DataFrame, *, value_col: str = "spend", p_alive_col: str = "p_alive",
                  top_share: float = 0.2, p_alive_below: float = 0.5, pseudonymize: bool = True) -> pd.DataFrame:
    """High-value customers whose P(alive) has fallen below a threshold, most value at risk first.

    High value = top ``top_share`` of ``value_col`` (past spend by default).
    ``value_at_risk = value * (1 - P(alive))``.  The index is replaced by
    keyed pseudonyms (:func:`crmlab.core.privacy.pseudonymize`) unless
    ``pseudonymize=False``.
    """
    for c in (value_col, p_alive_col):
        if c not in table.columns:
            raise DataError(f"early warning needs column '{c}'; columns are {list(table.columns)}")
    if not 0 < top_share < 1 or not 0 < p_alive_below < 1:
        raise ParameterError(f"top_share ({top_share}) and p_alive_below ({p_alive_below}) must lie in (0, 1)")
    v = table[value_col]
    cut = v.quantile(1 - top_share)
    hit = table[(v >= cut) & (table[p_alive_col] < p_alive_below)].copy()
    hit["value_at_risk"] = hit[value_col] * (1 - hit[p_alive_col])
    hit = hit.sort_values(["value_at_risk"], ascending=False, kind="mergesort")
    if pseudonymize:
        from crmlab.core.privacy import pseudonymize as _pseudo

        hit.index = pd.Index(_pseudo(pd.Series(hit.index)).to_numpy(), name="customer")
    return hit
