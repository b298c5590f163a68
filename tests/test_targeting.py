"""crmlab.targeting: folds of uplift.cross_fit_cate reproduced exactly, budget curve equal to
uplift.policy_value's point estimates, exact recomputation on a small case, intervals against the planted
truth of crmlab.simulate.retention; and the uplift.policy_value(n_boot=0) regression."""
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from crmlab import targeting as tg
from crmlab import uplift as up
from crmlab.core.errors import DataError, ParameterError
from crmlab.experiments import welch_ci
from crmlab.simulate import retention as sim


def _toy(n=4000, seed=3):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, n)
    x = rng.uniform(size=n)
    v = rng.normal(1.0, 1.0, n) + t * 2.0 * x
    return v, t, x


# ------------------------------------------------------------------ uplift.policy_value bug (issue #16)
def test_policy_value_n_boot_zero_gives_nan_intervals_and_same_point_estimates():
    v, t, x = _toy()
    a = up.policy_value(v, t, x, cost_per_contact=0.5, n_boot=0)
    b = up.policy_value(v, t, x, cost_per_contact=0.5, n_boot=200, seed=1)
    cols = ["fraction", "incremental_value", "cost", "net_value", "roi"]
    assert np.array_equal(a.table[cols].to_numpy(), b.table[cols].to_numpy(), equal_nan=True)
    assert a.table[["ci_low", "ci_high"]].isna().all().all()
    assert a.best_k == b.best_k and a.net_value == b.net_value
    assert np.isnan(a.ci_low) and np.isnan(a.ci_high)
    assert a.everyone["gain_of_best"] == b.everyone["gain_of_best"]
    assert np.isnan(a.everyone["gain_ci_low"]) and np.isnan(a.everyone["ci_high"])


# ------------------------------------------------------------------ folds
def test_fold_ids_are_the_folds_of_cross_fit_cate():
    rng = np.random.default_rng(0)
    n = 600
    X = rng.normal(size=(n, 2))
    t = (rng.uniform(size=n) < 0.4).astype(int)
    y = X[:, 0] + t * (0.5 + X[:, 1]) + rng.normal(size=n)  # noisy: each fold's fit differs
    scores, folds = tg.cross_fit_scores(X, t, y, model=LinearRegression(), n_folds=4, seed=7)
    assert sorted(np.bincount(folds)) == [150, 150, 150, 150]
    for f in range(4):
        tr, te = folds != f, folds == f
        m1 = LinearRegression().fit(X[tr & (t == 1)], y[tr & (t == 1)])
        m0 = LinearRegression().fit(X[tr & (t == 0)], y[tr & (t == 0)])
        assert scores[te] == pytest.approx(m1.predict(X[te]) - m0.predict(X[te]), rel=1e-10)
    with pytest.raises(ParameterError, match="seed must be an int"):
        tg.fold_ids(t, 4, None)


# ------------------------------------------------------------------ estimator
def test_budget_curve_one_fold_equals_uplift_policy_value_and_welch_at_full_contact():
    v, t, x = _toy()
    n = v.size
    fr = np.round(np.linspace(0, 1, 21), 6)
    pv = up.policy_value(v, t, x, cost_per_contact=0.5, fractions=fr, n_boot=0)
    cur = tg.budget_curve(v, t, x, cost=0.5, budgets=0.5 * np.round(fr * n))
    assert cur["share_contacted"].to_numpy() == pytest.approx(fr, abs=1e-12)
    # policy_value reports per customer of the base; budget_curve totals
    assert (cur["net_value"] / n).to_numpy() == pytest.approx(pv.table["net_value"].to_numpy(), abs=1e-12)
    assert (cur["incremental_value"] / n).to_numpy() == pytest.approx(pv.table["incremental_value"].to_numpy(),
                                                                      abs=1e-12)
    assert cur["roi"].to_numpy()[1:] == pytest.approx(pv.table["roi"].to_numpy()[1:], rel=1e-10)
    # contacting everyone: n x the Welch difference in means and its standard error
    a, b = v[t == 1], v[t == 0]
    d, se, *_ = welch_ci(a.mean(), a.var(ddof=1), a.size, b.mean(), b.var(ddof=1), b.size)
    last = cur.iloc[-1]
    assert last["incremental_value"] == pytest.approx(n * d, rel=1e-10)
    assert last["se"] == pytest.approx(n * se, rel=1e-10)
    assert last["ci_high"] - last["net_value"] == pytest.approx(1.959963985 * n * se, rel=1e-8)


def test_budget_policy_exact_recomputation_small_case_two_folds_varying_cost():
    rng = np.random.default_rng(5)
    n = 24
    v = np.round(rng.normal(10, 4, n), 2)
    t = np.tile([1, 0, 1, 0, 0, 1], 4)
    score = np.round(rng.normal(3, 2, n), 3)
    cost = np.where(np.arange(n) % 3 == 0, 1.0, 2.0)
    folds = np.repeat([0, 1], n // 2)
    budget = 26.0
    pol = tg.budget_policy(v, t, score, cost=cost, budget=budget, folds=folds, only_positive=False)
    inc = var = spent = 0.0
    chosen = np.zeros(n, bool)
    for f in (0, 1):
        idx = np.flatnonzero(folds == f)
        idx = idx[np.argsort(-(score[idx] - cost[idx]), kind="stable")]  # best predicted net value first
        cap, take = budget * idx.size / n, []
        for i in idx:  # longest prefix within the fold's share of the budget
            if cost[take + [i]].sum() > cap:
                break
            take.append(i)
        s = np.array(take)
        chosen[s] = True
        vt, vc = v[s][t[s] == 1], v[s][t[s] == 0]
        inc += s.size * (vt.mean() - vc.mean())
        var += s.size**2 * (vt.var(ddof=1) / vt.size + vc.var(ddof=1) / vc.size)
        spent += cost[s].sum()
    assert np.array_equal(pol.contact_, chosen)
    assert pol.n_contacts == chosen.sum() and pol.cost == pytest.approx(spent)
    assert pol.incremental_value == pytest.approx(inc, rel=1e-12)
    assert pol.se == pytest.approx(np.sqrt(var), rel=1e-12)
    assert pol.net_value == pytest.approx(inc - spent, rel=1e-12)
    assert pol.roi == pytest.approx((inc - spent) / spent, rel=1e-12)
    # population scaling: 10x the customers, 10x the budget -> 10x every total, same shares
    big = tg.budget_policy(v, t, score, cost=cost, budget=10 * budget, folds=folds, only_positive=False,
                           population=10 * n)
    assert big.net_value == pytest.approx(10 * pol.net_value) and big.se == pytest.approx(10 * pol.se)
    assert np.array_equal(big.contact_, pol.contact_)


def test_budget_and_n_contacts_agree_with_scalar_cost_and_only_positive_stops_at_zero():
    v, t, x = _toy(seed=8)
    score = 2.0 * x - 0.8  # predicted net value 2x - 0.8 - 0.4 > 0 for x > 0.6
    a = tg.budget_policy(v, t, score, cost=0.4, budget=0.4 * 1000, only_positive=False)
    b = tg.budget_policy(v, t, score, cost=0.4, n_contacts=1000, only_positive=False)
    assert a.n_contacts == b.n_contacts == 1000 and a.net_value == pytest.approx(b.net_value)
    c = tg.budget_policy(v, t, score, cost=0.4, budget=1e9)
    assert c.n_contacts == np.sum(score - 0.4 > 0)
    assert np.all(score[c.contact_] > 0.4)


# ------------------------------------------------------------------ against the planted truth
def test_policy_interval_covers_planted_truth_of_retention_simulation():
    # 300 experiments of 2,500 customers (blocks of one simulated base; customers are iid), noisy scores,
    # 4 folds, budget for 30% of the customers: net value interval vs the true sum of 100 x tau_i - cost
    s = sim.simulate_experiment(750_000, heterogeneity=0.08, ate=0.02, seed=12)
    d = s.data
    t_all = (d.arm == "offer").to_numpy().astype(int)
    v_all = 100.0 * d.retained.to_numpy()
    tau_all = d.true_uplift_if_treated.to_numpy()
    rng = np.random.default_rng(4)
    score_all = 100 * tau_all + rng.normal(0, 5, tau_all.size)
    folds_all = rng.integers(0, 4, tau_all.size)
    hits, gains = [], []
    for r in range(300):
        sl = slice(2500 * r, 2500 * (r + 1))
        pol = tg.budget_policy(v_all[sl], t_all[sl], score_all[sl], cost=2.0, budget=2.0 * 750,
                               folds=folds_all[sl])
        truth = np.sum(100 * tau_all[sl][pol.contact_] - 2.0)
        hits.append(pol.ci_low <= truth <= pol.ci_high)
        gains.append(truth - pol.contact_.sum() * (100 * 0.02 - 2.0))  # vs the same number contacted at random
    assert 0.93 <= np.mean(hits) <= 0.99  # MC se 1.2 points; the Welch se is conservative for the sample truth
    assert np.mean(gains) > 0


def test_cross_fitted_policy_on_retention_simulation_covers_truth_and_beats_random():
    s = sim.simulate_experiment(40_000, heterogeneity=0.1, ate=0.02, base_rate=0.4, seed=21)
    d = s.data
    X = d[["x1", "x2", "x3"]].to_numpy()
    t = (d.arm == "offer").to_numpy().astype(int)
    value = 100.0 * d.retained.to_numpy()
    scores, folds = tg.cross_fit_scores(X, t, value, model=LinearRegression(), n_folds=5, seed=3)
    tau = 100 * d.true_uplift_if_treated.to_numpy()
    assert np.corrcoef(scores, tau)[0, 1] > 0.8
    curve = tg.budget_curve(value, t, scores, cost=3.0, folds=folds, n_points=11)
    assert curve["budget"].iloc[-1] == pytest.approx(3.0 * len(d))
    pol = tg.budget_policy(value, t, scores, cost=3.0, budget=3.0 * 12_000, folds=folds)
    truth = np.sum(tau[pol.contact_] - 3.0)
    assert pol.ci_low <= truth <= pol.ci_high
    assert truth > pol.contact_.sum() * (100 * 0.02 - 3.0)  # random targeting of as many loses money here
    assert pol.net_value > 0 and pol.ci_low > 0


def test_targeting_bad_input():
    v, t, x = _toy(200)
    with pytest.raises(ParameterError, match="exactly one of budget"):
        tg.budget_policy(v, t, x, cost=1.0)
    with pytest.raises(ParameterError, match="cost"):
        tg.budget_curve(v, t, x, cost=-1.0)
    bad = v.copy()
    bad[6] = np.nan
    with pytest.raises(DataError, match=r"value has 1 missing.*rows \[7\]"):
        tg.budget_curve(bad, t, x, cost=1.0)
    with pytest.raises(DataError, match="0/1"):
        tg.budget_curve(v, t * 2, x, cost=1.0)
    with pytest.raises(DataError, match="equal length"):
        tg.budget_curve(v, t[:-1], x, cost=1.0)
