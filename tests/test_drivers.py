"""Key-driver analysis: exact Shapley/LMG, relative weights, bootstrap, sampled Shapley.

References
----------
* Exact recomputation: brute-force refitting of every subset regression by
  least squares (written here, independent of the sweep tree).
* Published relaimpo output: ``relaimpo::calc.relimp(mpg ~ am + vs + cyl,
  data = mtcars, type = "lmg")`` printed in the README / vignette of the R
  package domir (J. Luchman, "Comparison with Existing Relative Importance
  Packages", github.com/jluchman/domir, CRAN domir):

      Proportion of variance explained by model: 76.2%
                lmg
      am  0.1774892
      vs  0.2027032
      cyl 0.3817849

* Johnson (2000) relative weights recomputed from the data matrix by the
  SVD route of the paper (X = P D Q', Z = P Q'), and compared with the PyPI
  package relativeImp 0.0.2 (test-only).
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.drivers import (
    KeyDriverAnalysis,
    all_subsets_r2,
    collinearity_level,
    importance_performance,
    relative_weights_from_corr,
    sampled_shapley_r2_from_corr,
    shapley_r2_from_corr,
)
from crmlab.core.errors import DataError, ParameterError

# mtcars (R datasets; Henderson & Velleman 1981): mpg, cyl, vs, am for the 32 cars in R's row order
MTCARS_MPG = [21.0, 21.0, 22.8, 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4,
              14.7, 32.4, 30.4, 33.9, 21.5, 15.5, 15.2, 13.3, 19.2, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4]
MTCARS_CYL = [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4]
MTCARS_VS = [0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1]
MTCARS_AM = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]

DRIVERS = [f"q{i}" for i in range(2, 11)]


def brute_force_r2(X, y, subset):
    if not subset:
        return 0.0
    A = np.column_stack([np.ones(len(y)), X[:, list(subset)]])
    b, *_ = np.linalg.lstsq(A, y, rcond=None)
    r = y - A @ b
    return 1 - r @ r / ((y - y.mean()) @ (y - y.mean()))


def brute_force_lmg(X, y):
    """LMG as Lindeman, Merenda & Gold (1980) define it: average over all p! orders."""
    p = X.shape[1]
    cache = {}

    def v(S):
        key = frozenset(S)
        if key not in cache:
            cache[key] = brute_force_r2(X, y, sorted(key))
        return cache[key]

    phi = np.zeros(p)
    for order in itertools.permutations(range(p)):
        seen = []
        for j in order:
            phi[j] += v(seen + [j]) - v(seen)
            seen.append(j)
    return phi / math.factorial(p)


@pytest.fixture(scope="module")
def sat():
    return datasets.load_customer_sat()


def test_lmg_matches_published_relaimpo_mtcars():
    df = pd.DataFrame({"mpg": MTCARS_MPG, "am": MTCARS_AM, "vs": MTCARS_VS, "cyl": MTCARS_CYL})
    kda = KeyDriverAnalysis().fit(df, "mpg", ["am", "vs", "cyl"])
    np.testing.assert_allclose(kda.importance_["shapley"].to_numpy(), [0.1774892, 0.2027032, 0.3817849], atol=5e-7)
    assert round(100 * kda.r2_, 1) == 76.2


def test_all_subsets_r2_matches_brute_force_refitting():
    rng = np.random.default_rng(11)
    n, p = 200, 7
    X = rng.normal(size=(n, p)) @ rng.normal(size=(p, p))
    y = X @ rng.normal(size=p) + 2 * rng.normal(size=n)
    v = all_subsets_r2(np.corrcoef(np.column_stack([X, y]), rowvar=False))
    assert v.shape == (2**p,)
    for m in range(2**p):
        S = [j for j in range(p) if m >> j & 1]
        assert v[m] == pytest.approx(brute_force_r2(X, y, S), abs=1e-10)


def test_shapley_matches_brute_force_over_all_orders_on_customer_sat(sat):
    drivers = ["q2", "q4", "q6", "q7", "q9"]
    X = sat[drivers].to_numpy(float)
    y = sat["q1"].to_numpy(float)
    expected = brute_force_lmg(X, y)
    kda = KeyDriverAnalysis().fit(sat, "q1", drivers)
    np.testing.assert_allclose(kda.importance_["shapley"].to_numpy(), expected, atol=1e-12)
    assert kda.importance_["shapley"].sum() == pytest.approx(kda.r2_, abs=1e-12)
    assert kda.r2_ == pytest.approx(brute_force_r2(X, y, range(5)), abs=1e-12)


def test_shapley_invariant_to_rescaling_any_variable(sat):
    a = KeyDriverAnalysis().fit(sat, "q1", DRIVERS).importance_["shapley"]
    scaled = sat.astype(float).copy()
    scaled["q3"] = 100 - 7.5 * scaled["q3"]          # reversed and rescaled
    scaled["q1"] = 3 * scaled["q1"] + 10
    b = KeyDriverAnalysis().fit(scaled, "q1", DRIVERS).importance_["shapley"]
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=1e-12)


def test_batched_subsets_equal_one_by_one():
    rng = np.random.default_rng(2)
    Cs = [np.corrcoef(rng.normal(size=(50, 5)) @ rng.normal(size=(5, 5)), rowvar=False) for _ in range(4)]
    batched = all_subsets_r2(np.stack(Cs))
    for k, C in enumerate(Cs):
        np.testing.assert_allclose(batched[k], all_subsets_r2(C), atol=1e-13)


def test_relative_weights_match_johnson_svd_route(sat):
    X = sat[DRIVERS].to_numpy(float)
    y = sat["q1"].to_numpy(float)
    n = len(y)
    Xs = (X - X.mean(0)) / X.std(0) / np.sqrt(n)   # unit-length columns: X'X = correlation matrix
    ys = (y - y.mean()) / y.std() / np.sqrt(n)
    P, d, Qt = np.linalg.svd(Xs, full_matrices=False)
    Z = P @ Qt                                  # Johnson's orthogonal counterparts of X
    beta = np.linalg.lstsq(Z, ys, rcond=None)[0]
    Lam = np.linalg.lstsq(Z, Xs, rcond=None)[0]  # regression of X on Z (Lambda)
    eps = (Lam.T**2) @ (beta**2)
    kda = KeyDriverAnalysis().fit(sat, "q1", DRIVERS)
    np.testing.assert_allclose(kda.importance_["relative_weight"].to_numpy(), eps, atol=1e-10)
    assert kda.importance_["relative_weight"].sum() == pytest.approx(kda.r2_, abs=1e-10)


def test_relative_weights_match_relativeImp_package(sat):
    # relativeImp 0.0.2 (PyPI): Johnson's relative weights, rawRelaImpt sums to R^2. Test-only reference.
    relativeImp = pytest.importorskip("relativeImp")
    ref = relativeImp.relativeImp(sat.astype(float), "q1", list(DRIVERS)).set_index("driver")
    kda = KeyDriverAnalysis().fit(sat, "q1", DRIVERS)
    np.testing.assert_allclose(kda.importance_["relative_weight"], ref.loc[DRIVERS, "rawRelaImpt"], atol=1e-10)


def test_uncorrelated_drivers_shares_equal_squared_correlations():
    # Both methods reduce to r_j^2 for orthogonal drivers
    rng = np.random.default_rng(3)
    X = np.linalg.qr(rng.normal(size=(400, 4)) - 0)[0]
    X -= X.mean(0)
    X = np.linalg.qr(X)[0]
    y = X @ np.array([3.0, 2.0, 1.0, 0.5]) + rng.normal(size=400) * 0.05
    C = np.corrcoef(np.column_stack([X, y]), rowvar=False)
    shap, r2 = shapley_r2_from_corr(C)
    np.testing.assert_allclose(shap, C[:-1, -1] ** 2, atol=1e-3 * r2)
    np.testing.assert_allclose(relative_weights_from_corr(C), shap, atol=1e-3 * r2)


def test_sampled_shapley_within_stated_bound_of_exact():
    rng = np.random.default_rng(5)
    p = 12
    A = rng.normal(size=(3000, p + 1))
    A[:, :p] += A[:, [0]]                     # correlated drivers
    A[:, -1] += A[:, :p] @ np.linspace(1, 0.1, p)
    C = np.corrcoef(A, rowvar=False)
    exact, r2 = shapley_r2_from_corr(C)
    est = sampled_shapley_r2_from_corr(C, n_permutations=3000, seed=1)
    assert est["shares"].sum() == pytest.approx(r2, abs=1e-12)
    assert np.all(np.abs(est["shares"] - exact) <= est["bound"])
    assert np.all(np.abs(est["shares"] - exact) <= 5 * est["se"] + 1e-12)


def test_auto_method_switches_to_sampled_beyond_max_exact():
    rng = np.random.default_rng(6)
    df = pd.DataFrame(rng.normal(size=(500, 7)), columns=[f"d{j}" for j in range(6)] + ["y"])
    df["y"] += df.iloc[:, :6].sum(1)
    exact = KeyDriverAnalysis().fit(df, "y", list(df.columns[:6]))
    sampled = KeyDriverAnalysis(max_exact=4, n_permutations=4000, seed=2).fit(df, "y", list(df.columns[:6]))
    assert sampled.sampled_ is not None and exact.sampled_ is None
    diff = np.abs(sampled.importance_["shapley"] - exact.importance_["shapley"])
    assert (diff <= sampled.sampled_["bound"]).all()


def test_bootstrap_matches_explicit_resampling_loop(sat):
    """The batched multinomial bootstrap equals refitting on explicitly resampled rows."""
    drivers = ["q2", "q4", "q6", "q9"]
    B, seed = 30, 17
    kda = KeyDriverAnalysis(bootstrap=B, seed=seed).fit(sat, "q1", drivers)
    rng = np.random.default_rng(seed)
    n = len(sat)
    counts = rng.multinomial(n, np.full(n, 1 / n), size=B)
    for b in range(B):
        rows = np.repeat(np.arange(n), counts[b])
        ref = KeyDriverAnalysis().fit(sat.iloc[rows].reset_index(drop=True), "q1", drivers)
        np.testing.assert_allclose(kda.boot_shapley_[b], ref.importance_["shapley"].to_numpy(), atol=1e-10)
    imp = kda.importance_
    assert ((imp["shapley_ci_low"] <= imp["shapley"]) & (imp["shapley"] <= imp["shapley_ci_high"])).all()
    assert ((imp["rank_ci_low"] <= imp["rank"]) & (imp["rank"] <= imp["rank_ci_high"])).all()
    assert imp["p_top_rank"].sum() == pytest.approx(1.0)
    # R²'s interval: percentiles of the resamples' R², each the sum of its shares (the refits' R² above)
    r2_draws = [KeyDriverAnalysis().fit(sat.iloc[np.repeat(np.arange(n), counts[b])], "q1", drivers).r2_
                for b in range(B)]
    assert kda.r2_ci_ == pytest.approx(tuple(np.quantile(r2_draws, [0.025, 0.975])), abs=1e-10)
    assert kda.to_record()["r2_ci"] == pytest.approx(list(kda.r2_ci_))


def test_weighted_shapley_equals_frequency_replication(sat):
    sub = sat.iloc[:300]
    w = np.tile([1, 2, 3], 100)
    kda_w = KeyDriverAnalysis().fit(sub, "q1", DRIVERS, weights=w)
    rep = sub.loc[sub.index.repeat(w)]
    kda_r = KeyDriverAnalysis().fit(rep, "q1", DRIVERS)
    np.testing.assert_allclose(kda_w.importance_["shapley"], kda_r.importance_["shapley"], atol=1e-12)


def test_vif_and_condition_number_match_auxiliary_regressions(sat):
    kda = KeyDriverAnalysis().fit(sat, "q1", DRIVERS)
    X = sat[DRIVERS].to_numpy(float)
    for j, d in enumerate(DRIVERS):
        r2 = brute_force_r2(np.delete(X, j, axis=1), X[:, j], range(len(DRIVERS) - 1))
        assert kda.importance_.loc[d, "vif"] == pytest.approx(1 / (1 - r2), rel=1e-9)
    ev = np.linalg.eigvalsh(np.corrcoef(X, rowvar=False))
    assert kda.condition_number_ == pytest.approx(np.sqrt(ev[-1] / ev[0]))
    assert collinearity_level(kda.condition_number_, kda.importance_["vif"]) == "none"   # 4.67 and 3.05


def test_collinearity_level_follows_the_belsley_and_vif_cut_offs():
    assert collinearity_level(9.9, [1.0, 5.0]) == "none"
    assert collinearity_level(10.0, [1.0]) == "moderate" and collinearity_level(4.0, [5.1]) == "moderate"
    assert collinearity_level(29.9, [10.0]) == "moderate"
    assert collinearity_level(30.0, [1.0]) == "strong" and collinearity_level(4.0, [10.1]) == "strong"


def test_refit_with_fewer_drivers_resets_the_sampled_accuracy():
    # issue #10: sampled_ described the first fit's random orders after a refit computed exact shares
    rng = np.random.default_rng(8)
    p = 21
    X = rng.normal(size=(400, p)) + rng.normal(size=(400, 1))
    df = pd.DataFrame(X, columns=[f"d{j}" for j in range(p)])
    df["y"] = X @ np.linspace(1, 0.2, p) + rng.normal(size=400)
    kda = KeyDriverAnalysis(n_permutations=500, seed=3).fit(df, "y", [f"d{j}" for j in range(p)])
    assert kda.sampled_ is not None and kda.sampled_["n_permutations"] == 500
    kda.fit(df, "y", ["d0", "d1", "d2"])
    assert kda.sampled_ is None
    exact = KeyDriverAnalysis().fit(df, "y", ["d0", "d1", "d2"])
    np.testing.assert_allclose(kda.importance_["shapley"], exact.importance_["shapley"], atol=1e-15)


def test_sampled_bootstrap_draws_their_own_orders_per_resample():
    """With sampled Shapley each resample's Monte-Carlo error is independent: the draws scatter around
    the exact Shapley shares of the same resamples (reference: the exact method on identical resamples)."""
    rng = np.random.default_rng(9)
    A = rng.normal(size=(300, 7))
    A[:, :6] += A[:, [0]]
    A[:, 6] += A[:, :6] @ np.linspace(1, 0.3, 6)
    df = pd.DataFrame(A, columns=[f"d{j}" for j in range(6)] + ["y"])
    drivers = list(df.columns[:6])
    B = 60
    sampled = KeyDriverAnalysis(bootstrap=B, seed=4, max_exact=4, n_permutations=2000).fit(df, "y", drivers)
    exact = KeyDriverAnalysis(bootstrap=B, seed=4).fit(df, "y", drivers)
    assert sampled.sampled_ is not None and exact.sampled_ is None
    diff = sampled.boot_shapley_ - exact.boot_shapley_      # Monte-Carlo error of 200 orders per resample
    np.testing.assert_allclose(diff.sum(1), 0, atol=1e-12)   # every draw still sums to its resample's R²
    # independent errors: their mean shrinks like sd / sqrt(B) (a shared error would not shrink at all)
    assert np.all(np.abs(diff.mean(0)) <= 4 * diff.std(0, ddof=1) / np.sqrt(B))
    assert np.abs(np.corrcoef(diff[:, 0], np.roll(diff[:, 0], 1))[0, 1]) < 0.5


def test_importance_performance_quadrants():
    ipm = importance_performance({"a": 40, "b": 30, "c": 10, "d": 20}, {"a": 5, "b": 9, "c": 4, "d": 8}, 1, 10)
    assert ipm.loc["a", "quadrant"] == "Concentrate here"
    assert ipm.loc["b", "quadrant"] == "Keep up the good work"
    assert ipm.loc["c", "quadrant"] == "Low priority"
    assert ipm.loc["d", "quadrant"] == "Possible overkill"
    assert ipm.loc["b", "performance"] == pytest.approx(100 * 8 / 9)
    # each driver on its own scale: 4 on 1-5 and 5.5 on 1-7 are both 75 of 100
    mixed = importance_performance({"a": 40, "b": 30}, {"a": 4, "b": 5.5}, scales={"a": (1, 5), "b": (1, 7)})
    assert mixed["performance"].tolist() == pytest.approx([75.0, 75.0])
    with pytest.raises(ParameterError, match=r"no answer scale for \['b'\]"):
        importance_performance({"a": 40, "b": 30}, {"a": 4, "b": 5.5}, scales={"a": (1, 5)})


def test_to_record_keys(sat):
    rec = KeyDriverAnalysis().fit(sat, "q1", DRIVERS).to_record()
    assert set(rec["shapley"]) == set(DRIVERS)
    assert sum(rec["shapley"].values()) == pytest.approx(rec["r2"])
    assert rec["rank"][0] == max(rec["shapley"], key=rec["shapley"].get)


# --- bad input ---------------------------------------------------------------------------

def test_constant_driver_is_named(sat):
    df = sat.copy()
    df["q5"] = 7
    with pytest.raises(DataError, match=r"\['q5'\] are constant"):
        KeyDriverAnalysis().fit(df, "q1", DRIVERS)


def test_too_few_respondents_is_named_as_such_not_as_collinearity(sat):
    # 5 respondents and 9 drivers: the correlation matrix is singular, but the problem is the sample size
    with pytest.raises(DataError, match=r"too few respondents for 9 drivers: 5 respondent\(s\); .* at least 11"):
        KeyDriverAnalysis().fit(sat.iloc[:5], "q1", DRIVERS)
    KeyDriverAnalysis().fit(sat.iloc[:11], "q1", DRIVERS)   # p + 2 is enough to fit


def test_perfect_collinearity_names_the_drivers(sat):
    df = sat.copy()
    df["q11"] = df["q2"] + df["q3"]
    with pytest.raises(DataError, match=r"perfectly collinear") as e:
        KeyDriverAnalysis().fit(df, "q1", ["q2", "q3", "q11", "q4"])
    msg = str(e.value)
    assert "q2" in msg and "q3" in msg and "q11" in msg and "q4" not in msg


def test_text_in_item_names_item_and_rows(sat):
    df = sat.astype(object).copy()
    df.loc[[3, 8], "q4"] = "n/a"
    with pytest.raises(DataError, match=r"'q4'.*non-numeric.*rows 3, 8"):
        KeyDriverAnalysis().fit(df, "q1", DRIVERS)


@pytest.mark.parametrize("bad", [-1.0, np.nan])
def test_bad_weights_name_rows(sat, bad):
    w = np.ones(len(sat))
    w[[4, 9]] = bad
    with pytest.raises(DataError, match=r"weights .*rows 4, 9"):
        KeyDriverAnalysis().fit(sat, "q1", DRIVERS, weights=w)


def test_bad_parameters(sat):
    with pytest.raises(ParameterError):
        KeyDriverAnalysis().fit(sat, "q1", ["q1", "q2"])
    with pytest.raises(DataError, match="not in the data"):
        KeyDriverAnalysis().fit(sat, "q1", ["q2", "nope"])
    with pytest.raises(ParameterError):
        KeyDriverAnalysis(method="magic").fit(sat, "q1", DRIVERS)


def test_plots_and_html_render(sat):
    import matplotlib.pyplot as plt

    from crmlab.studies.survey.plots import driver_shares, importance_performance

    kda = KeyDriverAnalysis(bootstrap=20, seed=1).fit(sat, "q1", DRIVERS)
    fig = driver_shares(kda)
    assert len(fig.axes[0].patches) == len(DRIVERS)
    fig2 = importance_performance(kda.importance_performance(1, 10))
    assert len(fig2.axes[0].texts) == len(DRIVERS) + 4      # labels + quadrant names
    html = kda._repr_html_()
    assert f"{kda.r2_:.3f}" in html and "q4" in html
    plt.close("all")
