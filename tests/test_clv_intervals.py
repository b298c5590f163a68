"""Parameter-uncertainty intervals: exact identities against brute-force evaluation draw by draw,
the models' own predictions, and coverage of the truth in simulations with known parameters."""

import copy

import numpy as np
import pandas as pd
import pytest

from crmlab import transactions as tr
from crmlab.clv import BGNBD, GammaGamma, ParetoNBD, customer_value
from crmlab.clv.bgbb import BGBB
from crmlab.clv.intervals import (_p_alive, _rate, clv_interval, expected_purchases_interval, p_alive_interval,
                                  parameter_draws)
from crmlab.clv.value import concentration
from crmlab.core import datasets
from crmlab.core.errors import ParameterError
from crmlab.simulate.transactions import simulate_transactions

FHL = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)          # BG/NBD on CDNOW (FHL 2005)
PNBD = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)    # Pareto/NBD on CDNOW (FHL 2005)
SPEND = dict(p=6.25, q=3.74, gamma=15.44)                   # Gamma-Gamma on CDNOW (Fader & Hardie 2013)


@pytest.fixture(scope="module")
def summ():
    return tr.summarize(datasets.load_cdnow_sample(), calibration_end="1997-09-30",
                        holdout_end="1998-06-30").table


@pytest.fixture(scope="module")
def rfm(summ):
    return tuple(summ[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))


@pytest.fixture(scope="module")
def bg(rfm):
    return BGNBD().fit(*rfm[:3])


@pytest.fixture(scope="module")
def pn(rfm):
    return ParetoNBD().fit(*rfm[:3])


@pytest.fixture(scope="module")
def gg(rfm):
    f, m = rfm[0], rfm[3]
    return GammaGamma().fit(f[f > 0], m[f > 0])


def _at(model, theta):
    m = copy.copy(model)
    m.params_ = pd.Series(theta, index=list(model.param_names))
    return m


@pytest.mark.parametrize("name", ["bg", "pn"])
def test_p_alive_times_rate_equals_conditional_expected_purchases(name, rfm, request):
    model = request.getfixturevalue(name)
    x, tx, T, _ = rfm
    th = parameter_draws(model, 25, seed=3).to_numpy()
    pa = _p_alive(model, th, x, tx, T)
    for t in (1.0, 39.0, 104.0):
        ey = pa * _rate(model, t, x, T, th)
        for j in (0, 7, 24):
            np.testing.assert_allclose(pa[:, j], model.p_alive(x, tx, T, params=th[j]), rtol=1e-5)
            np.testing.assert_allclose(ey[:, j], model.conditional_expected_purchases(t, x, tx, T, params=th[j]),
                                       rtol=1e-5)


def test_single_precision_bgnbd_p_alive_for_extreme_customers(bg):
    x = np.array([0, 1, 30, 100, 100, 5])
    tx = np.array([0, 38.9, 1.0, 39.0, 20.0, 38.99999])
    T = np.full(6, 39.0)
    th = bg.params_.to_numpy()[None, :]
    np.testing.assert_allclose(_p_alive(bg, th, x, tx, T)[:, 0], bg.p_alive(x, tx, T), rtol=1e-5, atol=1e-30)


def test_parameter_draws_follow_the_log_scale_covariance(bg):
    d = np.log(parameter_draws(bg, 40_000, seed=1).to_numpy())
    theta = bg.params_.to_numpy()
    cov = bg.covariance_.to_numpy() / np.outer(theta, theta)
    np.testing.assert_allclose(d.mean(axis=0), np.log(theta), atol=3 * np.sqrt(np.diag(cov) / 40_000).max())
    sd = np.sqrt(np.diag(cov))
    assert np.max(np.abs(np.cov(d.T) - cov) / np.outer(sd, sd)) < 0.03   # sampling error ~ 1/sqrt(40000) = 0.005


@pytest.mark.parametrize("name", ["bg", "pn"])
def test_p_alive_and_expected_purchase_intervals_are_quantiles_of_draws(name, rfm, request):
    model = request.getfixturevalue(name)
    x, tx, T, _ = (v[:60] for v in rfm)
    th = parameter_draws(model, 200, seed=11).to_numpy()
    direct_pa = np.array([model.p_alive(x, tx, T, params=t) for t in th])
    direct_ey = np.array([model.conditional_expected_purchases(52.0, x, tx, T, params=t) for t in th])
    pa = p_alive_interval(model, x, tx, T, draws=200, seed=11, level=0.9, method="exact")
    ey = expected_purchases_interval(model, 52, x, tx, T, draws=200, seed=11, level=0.9, method="exact")
    for out, direct, est in ((pa, direct_pa, model.p_alive(x, tx, T)),
                             (ey, direct_ey, model.conditional_expected_purchases(52, x, tx, T))):
        np.testing.assert_allclose(out["estimate"], est, rtol=1e-12)
        np.testing.assert_allclose(out["ci_low"], np.quantile(direct, 0.05, axis=0), rtol=1e-5)
        np.testing.assert_allclose(out["ci_high"], np.quantile(direct, 0.95, axis=0), rtol=1e-5)
        assert np.all(out["ci_low"] <= out["estimate"] + 1e-12) and np.all(out["estimate"] <= out["ci_high"] + 1e-12)


@pytest.mark.parametrize("name", ["bg", "pn"])
def test_clv_interval_equals_customer_value_draw_by_draw(name, rfm, gg, request):
    # brute force: customer_value with both models set to each parameter draw; same draws (seed)
    model = request.getfixturevalue(name)
    x, tx, T, m = (v[:400] for v in rfm)
    J, seed, kw = 60, 5, dict(horizon=52, step=4, discount_rate=0.1, margin=0.3)
    rng = np.random.default_rng(seed)
    thp = parameter_draws(model, J, seed=rng).to_numpy()
    ths = parameter_draws(gg, J, seed=rng).to_numpy()
    vals = np.array([customer_value(_at(model, a), _at(gg, b), x, tx, T, m, **kw) for a, b in zip(thp, ths)])
    res = clv_interval(model, gg, x, tx, T, m, draws=J, seed=seed, method="exact", **kw)
    np.testing.assert_allclose(res.customers["estimate"], customer_value(model, gg, x, tx, T, m, **kw), rtol=1e-12)
    np.testing.assert_allclose(res.customers["ci_low"], np.quantile(vals, 0.025, axis=0), rtol=1e-5)
    np.testing.assert_allclose(res.customers["ci_high"], np.quantile(vals, 0.975, axis=0), rtol=1e-5)
    totals = vals.sum(axis=1)
    shares = np.array([concentration(v, (0.2,))["top20_share"] for v in vals])
    np.testing.assert_allclose(res.summary.loc["total", ["ci_low", "ci_high"]].to_numpy(float),
                               np.quantile(totals, [0.025, 0.975]), rtol=1e-6)
    np.testing.assert_allclose(res.summary.loc["top20_share", ["ci_low", "ci_high"]].to_numpy(float),
                               np.quantile(shares, [0.025, 0.975]), rtol=1e-6)
    assert res.summary.loc["top20_share", "estimate"] == pytest.approx(
        concentration(res.customers["estimate"], (0.2,))["top20_share"], rel=1e-12)
    np.testing.assert_allclose(res.draws.to_numpy(), np.hstack([thp, ths]), rtol=1e-15)


def test_clv_interval_does_not_depend_on_chunking(rfm, bg, gg):
    kw = dict(horizon=26, step=2, discount_rate=0.15, draws=50, seed=2, top_share=0.1)
    a = clv_interval(bg, gg, *rfm, **kw)
    b = clv_interval(bg, gg, *rfm, chunk_elements=700, **kw)   # 14 customers x 50 draws per block
    pd.testing.assert_frame_equal(a.customers, b.customers, rtol=1e-6)
    pd.testing.assert_frame_equal(a.summary, b.summary, rtol=1e-9)
    assert a.info["top_boundary"] < a.info["customers"]


def test_surrogate_agrees_with_exact_evaluation_for_a_large_base():
    # 40,000 simulated customers: standard errors small enough for the checked quadratic surrogate
    sim = simulate_transactions(40_000, **FHL, **SPEND, seed=8)
    s = sim.summary_at("1997-09-30")
    x, tx, m = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["monetary_value"].to_numpy()
    T = np.ceil(s["T"].to_numpy() * 7) / 7          # whole days, as in real data
    bgm = BGNBD().fit(x, tx, T)
    ggm = GammaGamma().fit(x[x > 0], m[x > 0])
    kw = dict(horizon=52, step=4, discount_rate=0.1, draws=100, seed=4)
    ex = clv_interval(bgm, ggm, x, tx, T, m, method="exact", **kw)
    sg = clv_interval(bgm, ggm, x, tx, T, m, method="surrogate", **kw)
    assert sg.info["horizon_sum"]["method"] == "quadratic surrogate"
    assert sg.info["horizon_sum"]["max_check_error"] < 1e-3
    for col in ("ci_low", "ci_high"):
        np.testing.assert_allclose(sg.customers[col], ex.customers[col], rtol=1e-4)
        np.testing.assert_allclose(sg.summary[col], ex.summary[col], rtol=1e-4)


def test_surrogate_falls_back_to_exact_when_its_check_fails(rfm, pn):
    # CDNOW's Pareto/NBD beta has a 53% standard error: the quadratic surrogate is not accurate there
    x, tx, T, _ = (v[:50] for v in rfm)
    ex = p_alive_interval(pn, x, tx, T, draws=100, seed=1, method="exact")
    sg = p_alive_interval(pn, x, tx, T, draws=100, seed=1, method="surrogate")
    pd.testing.assert_frame_equal(ex, sg)


def test_interval_input_errors(rfm, bg, gg):
    x, tx, T, m = (v[:20] for v in rfm)
    bb = BGBB()
    bb.params_ = pd.Series([1.2, 0.75, 0.66, 2.8], index=bb.param_names)
    with pytest.raises(ParameterError, match="BGNBD and ParetoNBD"):
        p_alive_interval(bb, x, tx, T)
    with pytest.raises(ParameterError, match="level"):
        p_alive_interval(bg, x, tx, T, level=95)
    with pytest.raises(ParameterError, match="draws"):
        p_alive_interval(bg, x, tx, T, draws=5)
    with pytest.raises(ParameterError, match="method"):
        clv_interval(bg, gg, x, tx, T, m, horizon=52, discount_rate=0.1, method="fast")
    with pytest.raises(ParameterError, match="whole number of steps"):
        clv_interval(bg, gg, x, tx, T, m, horizon=52, step=5, discount_rate=0.1)
    with pytest.raises(ParameterError, match="top_share"):
        clv_interval(bg, gg, x, tx, T, m, horizon=52, discount_rate=0.1, top_share=20)


# --- coverage of the truth in simulations with known parameters ---------------------------------
# "The truth" of a parameter-uncertainty interval is the model's expected value under the true
# parameters for the same data: P(alive | x, t_x, T; theta_0), E[Y(t) | x, t_x, T; theta_0] and
# CLV_i(theta_0) for each simulated customer, their total and the top-20% share of those values.
# Each simulation fits the models to fresh customers and checks whether the 95% intervals cover it;
# over 500 simulations the coverage must lie in [0.93, 0.97] (binomial sd 0.01).

PROBES = np.array([[1, 5.0, 35.0, 20.0], [3, 30.0, 38.0, 35.0], [8, 36.0, 38.0, 50.0],
                   [2, 10.0, 30.0, 15.0], [0, 0.0, 35.0, 0.0]])


def _coverage(kind, true, n_sims, n_per, draws, calibration_end, probe_T_shift, full):
    M = BGNBD if kind == "bgnbd" else ParetoNBD
    sim = simulate_transactions(n_sims * n_per, model=kind, **true, **SPEND, seed=2024)
    s = sim.summary_at(calibration_end)
    x, tx, m = s["frequency"].to_numpy(), s["recency"].to_numpy(), s["monetary_value"].to_numpy()
    T = np.ceil(s["T"].to_numpy() * 7) / 7           # whole days, as in real data
    group = (s.index.to_numpy() - 1) // n_per
    px, ptx, pT, pm = PROBES.T
    ptx = np.where(px > 0, ptx + probe_T_shift, 0.0)
    pT = pT + probe_T_shift
    tm = _at(M(), [true[p] for p in M.param_names])
    tg = _at(GammaGamma(), [SPEND[p] for p in GammaGamma.param_names])
    kw = dict(horizon=52, step=52, discount_rate=0.1)
    truth = {"p_alive": tm.p_alive(px, ptx, pT), "expected": tm.conditional_expected_purchases(39, px, ptx, pT),
             "clv_probe": customer_value(tm, tg, px, ptx, pT, pm, **kw)}
    hits = {k: [] for k in ("p_alive", "expected", "clv_probe", "clv", "total", "top20_share")}

    def hit(table, true_value):
        return (table["ci_low"].to_numpy() <= true_value) & (true_value <= table["ci_high"].to_numpy())

    for g in range(n_sims):
        k = group == g
        pmod = M(initial=true).fit(x[k], tx[k], T[k])
        rep = k & (x > 0)
        gmod = GammaGamma(initial=SPEND).fit(x[rep], m[rep])
        keep = px > 0 if kind == "bgnbd" else slice(None)   # BG/NBD: P(alive) = 1 without repeat purchases
        hits["p_alive"].append(hit(p_alive_interval(pmod, px, ptx, pT, draws=draws, seed=g),
                                   truth["p_alive"])[keep])
        hits["expected"].append(hit(expected_purchases_interval(pmod, 39, px, ptx, pT, draws=draws, seed=g),
                                    truth["expected"]))
        hits["clv_probe"].append(hit(clv_interval(pmod, gmod, px, ptx, pT, pm, draws=draws, seed=g, **kw).customers,
                                     truth["clv_probe"]))
        if full:
            res = clv_interval(pmod, gmod, x[k], tx[k], T[k], m[k], draws=draws, seed=g, **kw)
            cv = customer_value(tm, tg, x[k], tx[k], T[k], m[k], **kw)
            hits["clv"].append(hit(res.customers, cv).mean())
            hits["total"].append(hit(res.summary.loc[["total"]], cv.sum())[0])
            hits["top20_share"].append(hit(res.summary.loc[["top20_share"]],
                                           concentration(cv, (0.2,))["top20_share"])[0])
    return {k: np.mean(np.array(v, dtype=float), axis=0) for k, v in hits.items() if v}


@pytest.mark.slow
def test_bgnbd_gamma_gamma_intervals_cover_the_truth_in_500_simulations():
    cov = _coverage("bgnbd", FHL, n_sims=500, n_per=1500, draws=300, calibration_end="1997-09-30",
                    probe_T_shift=0.0, full=True)
    for name, c in cov.items():
        assert np.all((0.93 <= c) & (c <= 0.97)), (name, c)


@pytest.mark.slow
def test_paretonbd_gamma_gamma_intervals_cover_the_truth_in_500_simulations():
    # Pareto/NBD's s and beta are weakly identified: 78-week calibration and 5,000 customers per simulation
    # (at 3,000 the non-repeater's E[Y(39)] covered 92.6%); P(alive), E[Y] and CLV at the probe customers
    # (the total and top share use the same machinery as the BG/NBD test above)
    cov = _coverage("paretonbd", PNBD, n_sims=500, n_per=5000, draws=200, calibration_end="1998-06-30",
                    probe_T_shift=39.0, full=False)
    for name, c in cov.items():
        assert np.all((0.93 <= c) & (c <= 0.97)), (name, c)
