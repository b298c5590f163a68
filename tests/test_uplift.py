"""crmlab.uplift: meta-learners (exact on noiseless linear effects), Qini and policy value
by exact recomputation, bootstrap interval against the analytic standard error."""
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from crmlab import uplift as up
from crmlab.core.errors import DataError, ParameterError


def _linear_data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    t = (rng.uniform(size=n) < 0.4).astype(int)
    tau = 0.5 + 2.0 * X[:, 0]
    y = 1.0 + X[:, 0] - 3 * X[:, 1] + t * tau
    return X, t, y, tau


@pytest.mark.parametrize("name", ["t", "x", "dr"])
def test_meta_learners_exact_on_noiseless_linear_effects(name):
    X, t, y, tau = _linear_data()
    est = up.LEARNERS[name](LinearRegression(), seed=0).fit(X, t, y)
    assert est.predict(X) == pytest.approx(tau, abs=1e-8)


def test_cross_fit_cate_out_of_fold_exact_and_dr_pseudo_outcome_mean_is_aipw():
    X, t, y, tau = _linear_data(seed=1)
    s = up.cross_fit_cate(X, t, y, learner="t", model=LinearRegression(), n_folds=4, seed=0)
    assert s == pytest.approx(tau, abs=1e-8)
    rng = np.random.default_rng(2)
    yn = y + rng.normal(size=y.size)
    dr = up.DRLearner(LinearRegression(), n_folds=2, seed=0).fit(X, t, yn)
    # the mean pseudo-outcome equals the AIPW average-effect estimate, recomputed by hand
    from sklearn.model_selection import StratifiedKFold
    mu0, mu1 = np.empty(y.size), np.empty(y.size)
    for tr, te in StratifiedKFold(2, shuffle=True, random_state=0).split(X, t):
        mu0[te] = LinearRegression().fit(X[tr][t[tr] == 0], yn[tr][t[tr] == 0]).predict(X[te])
        mu1[te] = LinearRegression().fit(X[tr][t[tr] == 1], yn[tr][t[tr] == 1]).predict(X[te])
    e = t.mean()
    aipw = np.mean(mu1 - mu0 + t * (yn - mu1) / e - (1 - t) * (yn - mu0) / (1 - e))
    assert dr.pseudo_outcome_.mean() == pytest.approx(aipw, rel=1e-12)


def test_qini_curve_exact_recomputation():
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    t = np.array([1, 1, 0, 1, 0, 1, 0, 0])
    score = np.array([8, 7, 6, 5, 4, 3, 2, 1])  # already in order
    c = up.qini_curve(y, t, score, n_points=5)  # fractions 0, .25, .5, .75, 1 -> k = 0, 2, 4, 6, 8
    nt, nc = 4, 4
    expected = [0, (1 + 0) / nt - 0 / nc, (1 + 0 + 1) / nt - 1 / nc, 2 / nt - 1 / nc, 2 / nt - 2 / nc]
    assert c["qini"].tolist() == pytest.approx(expected)
    assert c["random"].tolist() == pytest.approx(np.linspace(0, 1, 5) * expected[-1])
    s = up.qini_summary(c)
    area = np.trapezoid(expected, np.linspace(0, 1, 5))
    assert s["auuc"] == pytest.approx(area) and s["qini_random"] == pytest.approx(expected[-1] / 2)


def test_policy_value_exact_point_estimates_and_bootstrap_se():
    rng = np.random.default_rng(3)
    n = 4000
    t = rng.integers(0, 2, n)
    x = rng.uniform(size=n)
    v = rng.normal(1.0, 1.0, n) + t * 2.0 * x  # effect concentrated where x is high
    res = up.policy_value(v, t, x, cost_per_contact=0.5, fractions=[0, 0.5, 1.0], n_boot=600, seed=1)
    tab = res.table.set_index("fraction")
    top = np.argsort(-x)[: n // 2]
    inc_half = 0.5 * (v[top][t[top] == 1].mean() - v[top][t[top] == 0].mean())
    assert tab.loc[0.5, "incremental_value"] == pytest.approx(inc_half)
    assert tab.loc[0.5, "net_value"] == pytest.approx(inc_half - 0.25)
    assert tab.loc[0.0, "net_value"] == 0.0
    ate = v[t == 1].mean() - v[t == 0].mean()
    assert tab.loc[1.0, "net_value"] == pytest.approx(ate - 0.5)
    assert tab.loc[1.0, "roi"] == pytest.approx((ate - 0.5) / 0.5)
    # percentile interval width at k = 1 agrees with the analytic (Welch) standard error
    se = np.sqrt(v[t == 1].var(ddof=1) / (t == 1).sum() + v[t == 0].var(ddof=1) / (t == 0).sum())
    width = tab.loc[1.0, "ci_high"] - tab.loc[1.0, "ci_low"]
    assert width == pytest.approx(2 * 1.96 * se, rel=0.12)
    assert res.best_k in (0.5, 1.0) and res.ci_low < res.net_value < res.ci_high


def test_uplift_bad_input():
    X, t, y, _ = _linear_data(50)
    with pytest.raises(DataError, match="0/1"):
        up.TLearner().fit(X, t * 2, y)
    with pytest.raises(DataError, match="single group"):
        up.TLearner().fit(X, np.ones_like(t), y)
    with pytest.raises(ParameterError, match="learner"):
        up.cross_fit_cate(X, t, y, learner="s")
    with pytest.raises(ParameterError, match="cost_per_contact"):
        up.policy_value(y, t, y, cost_per_contact=-1)


def test_policy_gain_over_everyone_is_paired_bootstrap():
    rng = np.random.default_rng(4)
    n = 6000
    t = rng.integers(0, 2, n)
    x = rng.uniform(size=n)
    v = rng.normal(0.0, 1.0, n) + t * (x - 0.5) * 2  # only the top half gains; contacting all costs
    res = up.policy_value(v, t, x, cost_per_contact=0.2, n_boot=400, seed=2)
    tab = res.table.set_index("fraction")
    assert res.everyone["gain_of_best"] == pytest.approx(res.net_value - tab.loc[1.0, "net_value"])
    assert res.best_k < 1.0
    assert res.everyone["gain_ci_low"] < res.everyone["gain_of_best"] < res.everyone["gain_ci_high"]
    # true gain of contacting the top half vs everyone: 0.5 * 0.5 - 0.2 * 0.5 - (0 - 0.2) = 0.35
    assert res.everyone["gain_ci_low"] > 0


def test_qini_bootstrap_point_matches_summary_and_separates_signal_from_noise():
    rng = np.random.default_rng(8)
    n = 8000
    x = rng.uniform(-1, 1, n)
    t = rng.integers(0, 2, n)
    y = (rng.uniform(size=n) < 0.3 + t * (0.05 + 0.15 * x)).astype(int)
    b = up.qini_bootstrap(y, t, x, n_boot=300, seed=1)
    s = up.qini_summary(up.qini_curve(y, t, x))
    assert b["qini_coefficient"] == pytest.approx(s["qini_coefficient"], rel=1e-9)
    assert 0 < b["ci_low"] < b["qini_coefficient"] < b["ci_high"]
    noise = up.qini_bootstrap(y, t, rng.uniform(size=n), n_boot=300, seed=1)
    assert noise["ci_low"] < 0 < noise["ci_high"]


def test_seed_int_or_generator_reproduces_and_there_is_no_random_state():
    X, t, y, _ = _linear_data(600, seed=3)
    y = y + np.random.default_rng(4).normal(size=y.size)  # noisy: the folds change the out-of-fold fits

    def fit(**kw):
        return up.cross_fit_cate(X, t, y, learner="x", model=LinearRegression(), n_folds=3, **kw)
    a = fit(seed=7)
    assert np.array_equal(a, fit(seed=7)) and not np.array_equal(a, fit(seed=8))
    assert np.array_equal(fit(seed=np.random.default_rng(11)), fit(seed=np.random.default_rng(11)))
    with pytest.raises(TypeError, match="random_state"):
        fit(random_state=7)  # one name for randomness everywhere: seed


def test_bootstrap_intervals_at_two_levels_are_nested_quantiles_of_the_same_replicates():
    rng = np.random.default_rng(9)
    n = 4000
    x = rng.uniform(-1, 1, n)
    t = rng.integers(0, 2, n)
    y = (rng.uniform(size=n) < 0.3 + t * (0.05 + 0.15 * x)).astype(int)
    b95 = up.qini_bootstrap(y, t, x, n_boot=200, seed=3)
    b80 = up.qini_bootstrap(y, t, x, n_boot=200, seed=3, level=0.80)
    assert b95["ci_low"] < b80["ci_low"] < b80["ci_high"] < b95["ci_high"]
    assert b80["p_not_better"] == b95["p_not_better"]  # the same replicates
    p95 = up.policy_value(y, t, x, cost_per_contact=0.01, n_boot=200, seed=3)
    p80 = up.policy_value(y, t, x, cost_per_contact=0.01, n_boot=200, seed=3, level=0.80)
    inner = p80.table.iloc[1:]
    outer = p95.table.iloc[1:]
    assert ((outer["ci_low"] <= inner["ci_low"]) & (inner["ci_high"] <= outer["ci_high"])).all()
    with pytest.raises(ParameterError, match="level"):
        up.policy_value(y, t, x, cost_per_contact=0.01, n_boot=10, level=0)
