"""Clustering, stability, portraits, lifecycle and early warning: known-structure data and hand examples."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from crmlab import segment
from crmlab.core.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=600, centers=[[0, 0, 0], [6, 0, 0], [0, 6, 0], [0, 0, 6]], cluster_std=0.8,
                      random_state=3)
    return pd.DataFrame(X, columns=["a", "b", "c"]), y


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_auto_k_recovers_four_separated_groups(blobs, method):
    X, y = blobs
    res = segment.Clustering("auto", method=method, k_range=range(2, 7), seed=1).fit(X)
    assert res.k_ == 4
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(y, res.labels_) > 0.98
    assert res.silhouette_ > 0.6
    assert res.labels_.value_counts().is_monotonic_decreasing  # 1 = largest
    assert res.k_ == segment.best_k(res.selection_, method)
    stab = segment.stability(X, res, n_boot=5, seed=2)
    assert len(stab) == 5 and stab.min() > 0.95


def test_silhouette_table_matches_sklearn(blobs):
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    X, _ = blobs
    sel = segment.select_k(X, k_range=[3], seed=0)
    lab = KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(X)
    assert sel.loc[3, "silhouette"] == pytest.approx(silhouette_score(X, lab))


def test_best_k_is_the_highest_silhouette_or_the_lowest_bic():
    sel = pd.DataFrame({"silhouette": [0.5, 0.7, 0.7, 0.2], "bic": [10.0, -3.0, -5.0, -5.0],
                        "inertia": [9.0, 5.0, 3.0, 2.0]}, index=pd.Index([2, 3, 4, 5], name="k"))
    assert segment.best_k(sel, "kmeans") == 3  # tie between k = 3 and 4: the first
    assert segment.best_k(sel, "gmm") == 4
    with pytest.raises(ParameterError, match="method"):
        segment.best_k(sel, "dbscan")
    with pytest.raises(DataError, match="bic"):
        segment.best_k(sel.assign(bic=np.nan), "gmm")


def test_fixed_k_and_generator_seed(blobs):
    X, _ = blobs
    a = segment.Clustering(3, seed=np.random.default_rng(5)).fit(X)
    b = segment.Clustering(3, seed=np.random.default_rng(5)).fit(X)
    assert a.k_ == 3 and list(a.selection_.index) == [3]
    pd.testing.assert_series_equal(a.labels_, b.labels_)


def test_behaviour_features_log_and_standardise():
    t = pd.DataFrame({"recency": [0.0, 1.0, 3.0], "frequency": [1, 2, 4], "monetary": [10.0, 10.0, 10.0],
                      "p_alive": [0.2, 0.5, 0.8]})
    X = segment.behaviour_features(t, columns=("recency", "frequency", "monetary", "p_alive"))
    expected = np.log1p([0.0, 1.0, 3.0])
    np.testing.assert_allclose(X["recency"], (expected - expected.mean()) / expected.std())
    np.testing.assert_allclose(X["monetary"], 0.0)  # constant column stays finite
    np.testing.assert_allclose(X["p_alive"], (t["p_alive"] - 0.5) / t["p_alive"].std(ddof=0))
    with pytest.raises(DataError, match="'recency'"):
        segment.behaviour_features(t.assign(recency=[-1.0, 0, 1]))


def test_portraits_by_hand():
    t = pd.DataFrame({"spend": [10.0, 30.0, 60.0], "frequency": [1, 3, 5]})
    p = segment.portraits(t, pd.Series([1, 1, 2], name="cluster"), value_col="spend")
    assert p.loc[1, "customers"] == 2 and p.loc[1, "share"] == pytest.approx(2 / 3)
    assert p.loc[1, "spend"] == 20.0 and p.loc[2, "frequency"] == 5
    assert p.loc[2, "value_share"] == pytest.approx(0.6)


def test_lifecycle_rules_by_hand():
    s = pd.DataFrame({"T": [30.0, 8.0, 30.0, 30.0, 30.0, 30.0],
                      "frequency_early": [3, 0, 1, 4, 1, 2], "frequency_late": [3, 1, 3, 1, 1, 2]})
    pa = [0.1, 0.9, 0.9, 0.9, 0.5, 0.95]
    st = segment.lifecycle(s, pa)
    assert list(st) == ["lapsed", "new", "active/growing", "declining", "declining", "mature"]
    with pytest.raises(ParameterError):
        segment.lifecycle(s, pa, lapsed_below=0.8, declining_below=0.5)


def test_early_warning_lists_high_value_customers_at_risk():
    t = pd.DataFrame({"spend": [1000.0, 900.0, 800.0, 10.0, 5.0, 1.0, 2.0, 3.0, 4.0, 6.0],
                      "p_alive": [0.2, 0.9, 0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]},
                     index=[f"id{i}" for i in range(10)])
    ew = segment.early_warning(t, top_share=0.3, pseudonymize=False)
    assert list(ew.index) == ["id0", "id2"]  # top 30% by spend with P(alive) < 0.5, value at risk 800 then 480
    assert ew["value_at_risk"].tolist() == pytest.approx([800.0, 480.0])
    hidden = segment.early_warning(t, top_share=0.3)
    assert all(i.startswith("c_") for i in hidden.index) and "id0" not in hidden.index
    with pytest.raises(DataError, match="p_alive"):
        segment.early_warning(t.drop(columns="p_alive"))


def test_bad_k_and_method(blobs):
    X, _ = blobs
    with pytest.raises(ParameterError, match="n_segments"):
        segment.Clustering(1).fit(X)
    with pytest.raises(ParameterError, match="method"):
        segment.Clustering(3, method="dbscan").fit(X)
