"""BG/NBD, Pareto/NBD and Gamma-Gamma against Fader, Hardie & Lee (2005) on the CDNOW sample
and against the ``lifetimes`` package (test-only reference, version 0.11.3)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab import transactions as tr
from crmlab.clv import (BGNBD, GammaGamma, ParetoNBD, ConvergenceError, concentration, customer_value,
                        holdout_by_frequency, holdout_errors, independence_check, tracking)
from crmlab.core.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def cdnow():
    return tr.summarize(datasets.load_cdnow_sample(), calibration_end="1997-09-30", holdout_end="1998-06-30")


@pytest.fixture(scope="module")
def summ(cdnow):
    return cdnow.table


@pytest.fixture(scope="module")
def bg(summ):
    return BGNBD().fit(summ["frequency"], summ["recency"], summ["T"])


@pytest.fixture(scope="module")
def pn(summ):
    return ParetoNBD().fit(summ["frequency"], summ["recency"], summ["T"])


@pytest.fixture(scope="module")
def gg(summ):
    rep = summ[summ["frequency"] > 0]
    return GammaGamma().fit(rep["frequency"], rep["monetary_value"])


@pytest.fixture(scope="module")
def lt():
    lifetimes = pytest.importorskip("lifetimes")
    return lifetimes


# --- Fader, Hardie & Lee (2005) published estimates --------------------------------------------

def test_bgnbd_matches_fhl2005_published_estimates(bg):
    # FHL (2005), Marketing Science 24(2), p. 281: r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4
    p = bg.params_
    assert p["r"] == pytest.approx(0.243, abs=6e-4)
    assert p["alpha"] == pytest.approx(4.414, abs=6e-4)
    assert p["a"] == pytest.approx(0.793, abs=6e-4)
    assert p["b"] == pytest.approx(2.426, abs=6e-4)
    assert bg.loglik_ == pytest.approx(-9582.4, abs=0.05)
    assert bg.n_customers_ == 2357 and bg.n_repeaters_ == 946
    assert bg.n_rows_ < 2357  # compressed to unique (x, t_x, T) rows


def test_bgnbd_loglik_recomputed_at_published_parameters(summ, bg):
    ll = bg.loglik(summ["frequency"], summ["recency"], summ["T"],
                   params={"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}).sum()
    assert ll == pytest.approx(-9582.4, abs=0.1)
    # the optimum is at least as good as the rounded published point
    assert bg.loglik_ >= ll


def test_paretonbd_matches_fhl2005_published_estimates(pn):
    # FHL (2005), p. 281 (Pareto/NBD benchmark): r=0.553, alpha=10.578, s=0.606, beta=11.669
    p = pn.params_
    assert p["r"] == pytest.approx(0.553, abs=6e-4)
    assert p["alpha"] == pytest.approx(10.578, abs=6e-4)
    assert p["s"] == pytest.approx(0.606, abs=6e-4)
    assert p["beta"] == pytest.approx(11.669, abs=2e-3)  # the likelihood is flat in beta (se 6.2)
    # Fader & Hardie (2005), "A note on implementing the Pareto/NBD model in MATLAB": LL = -9595.0
    assert pn.loglik_ == pytest.approx(-9595.0, abs=0.05)


def test_gammagamma_matches_fader_hardie_published_estimates(gg):
    # Fader & Hardie (2013) "The Gamma-Gamma model of monetary value": p=6.25, q=3.74, gamma=15.44 (946 repeaters)
    p = gg.params_
    assert gg.n_customers_ == 946
    assert p["p"] == pytest.approx(6.25, abs=6e-3)
    assert p["q"] == pytest.approx(3.74, abs=6e-3)
    assert p["gamma"] == pytest.approx(15.44, abs=6e-3)
    # population mean spend E(M) = p gamma / (q - 1), recomputed at the published (rounded) estimates
    assert gg.mean_spend() == pytest.approx(6.25 * 15.44 / (3.74 - 1), rel=2e-3)


# --- lifetimes 0.11.3 (more digits) ------------------------------------------------------------

def test_bgnbd_matches_lifetimes_parameters_se_and_predictions(summ, bg, lt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = lt.BetaGeoFitter().fit(summ["frequency"], summ["recency"], summ["T"])
    for k in ("r", "alpha", "a", "b"):
        assert bg.params_[k] == pytest.approx(ref.params_[k], rel=2e-5)
        assert bg.se_[k] == pytest.approx(ref.summary.loc[k, "se(coef)"], rel=2e-3)
    f, r, T = summ["frequency"], summ["recency"], summ["T"]
    params = ref.params_.to_dict()
    np.testing.assert_allclose(bg.p_alive(f, r, T, params=params),
                               ref.conditional_probability_alive(f, r, T), rtol=1e-9)
    np.testing.assert_allclose(bg.conditional_expected_purchases(39, f, r, T, params=params),
                               ref.conditional_expected_number_of_purchases_up_to_time(39, f, r, T), rtol=1e-8)
    t = np.array([1.0, 10.0, 39.0, 78.0])
    np.testing.assert_allclose(bg.expected_purchases(t, params=params),
                               ref.expected_number_of_purchases_up_to_time(t), rtol=1e-9)


def test_paretonbd_matches_lifetimes(summ, pn, lt):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = lt.ParetoNBDFitter().fit(summ["frequency"], summ["recency"], summ["T"])
    f, r, T = summ["frequency"], summ["recency"], summ["T"]
    params = ref.params_.to_dict()
    # the likelihood is flat near the optimum: both optima agree to 1e-6 in LL and 1e-3 in parameters
    assert pn.loglik(f, r, T, params=params).sum() == pytest.approx(pn.loglik_, abs=1e-5)
    assert pn.loglik_ >= pn.loglik(f, r, T, params=params).sum() - 1e-7
    for k in ("r", "alpha", "s", "beta"):
        assert pn.params_[k] == pytest.approx(ref.params_[k], rel=1e-3)
    np.testing.assert_allclose(pn.p_alive(f, r, T, params=params),
                               ref.conditional_probability_alive(f, r, T), rtol=1e-7)
    np.testing.assert_allclose(pn.conditional_expected_purchases(39, f, r, T, params=params),
                               ref.conditional_expected_number_of_purchases_up_to_time(39, f, r, T), rtol=1e-7)
    t = np.array([1.0, 10.0, 39.0, 78.0])
    np.testing.assert_allclose(pn.expected_purchases(t, params=params),
                               ref.expected_number_of_purchases_up_to_time(t), rtol=1e-9)


def test_gammagamma_matches_lifetimes(summ, gg, lt):
    rep = summ[summ["frequency"] > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = lt.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    for ours, theirs in (("p", "p"), ("q", "q"), ("gamma", "v")):
        assert gg.params_[ours] == pytest.approx(ref.params_[theirs], rel=2e-5)
        assert gg.se_[ours] == pytest.approx(ref.summary.loc[theirs, "se(coef)"], rel=2e-3)
    params = {"p": ref.params_["p"], "q": ref.params_["q"], "gamma": ref.params_["v"]}
    np.testing.assert_allclose(gg.conditional_expected_spend(summ["frequency"], summ["monetary_value"], params=params),
                               ref.conditional_expected_average_profit(summ["frequency"], summ["monetary_value"]),
                               rtol=1e-10)


def test_clv_matches_lifetimes_customer_lifetime_value(summ, bg, gg, lt):
    # lifetimes: 12 monthly steps of 4.345 weeks, discounted 1% per step (freq="W")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = summ[summ["frequency"] > 0]
        ref_bg = lt.BetaGeoFitter().fit(summ["frequency"], summ["recency"], summ["T"])
        ref_bg.params_ = pd.Series(bg.params_.to_dict())
        ref_gg = lt.GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
        ref_gg.params_ = pd.Series({"p": gg.params_["p"], "q": gg.params_["q"], "v": gg.params_["gamma"]})
        ref = ref_gg.customer_lifetime_value(ref_bg, summ["frequency"], summ["recency"], summ["T"],
                                             summ["monetary_value"], time=12, discount_rate=0.01, freq="W")
    annual = 1.01 ** (365.25 / (4.345 * 7)) - 1
    ours = customer_value(bg, gg, summ["frequency"], summ["recency"], summ["T"], summ["monetary_value"],
                          horizon=12 * 4.345, step=4.345, discount_rate=annual)
    np.testing.assert_allclose(ours, ref.to_numpy(), rtol=1e-8)


# --- exact recomputation -----------------------------------------------------------------------

@pytest.mark.parametrize("model", ["bgnbd", "gammagamma"])
def test_analytic_gradient_matches_finite_differences(summ, bg, gg, model):
    if model == "bgnbd":
        est, data = bg, BGNBD._prepare(summ["frequency"].to_numpy(float), summ["recency"].to_numpy(),
                                       summ["T"].to_numpy())
        theta = np.array([0.3, 5.0, 0.9, 2.0])
    else:
        rep = summ[summ["frequency"] > 0]
        est, data = gg, GammaGamma._prepare(rep["frequency"].to_numpy(float), rep["monetary_value"].to_numpy())
        theta = np.array([5.0, 3.0, 12.0])
    g = est._grad(theta, data).sum(axis=0)
    for j in range(len(theta)):
        h = 1e-6 * theta[j]
        e = np.zeros_like(theta)
        e[j] = h
        fd = (est._loglik(theta + e, data).sum() - est._loglik(theta - e, data).sum()) / (2 * h)
        assert g[j] == pytest.approx(fd, rel=1e-5)


def test_compressed_fit_equals_weighted_fit(summ, bg):
    # duplicating every customer doubles LL and leaves the MLE unchanged
    f, r, T = summ["frequency"], summ["recency"], summ["T"]
    twice = BGNBD().fit(np.r_[f, f], np.r_[r, r], np.r_[T, T])
    weighted = BGNBD().fit(f, r, T, weights=np.full(len(f), 2.0))
    assert twice.loglik_ == pytest.approx(2 * bg.loglik_, rel=1e-10)
    assert weighted.loglik_ == pytest.approx(twice.loglik_, rel=1e-10)
    np.testing.assert_allclose(twice.params_, bg.params_, rtol=1e-6)
    np.testing.assert_allclose(twice.se_ * np.sqrt(2), bg.se_, rtol=1e-4)


def test_clv_without_discount_telescopes_to_expected_purchases_times_spend(summ, bg, gg):
    f, r, T, m = summ["frequency"], summ["recency"], summ["T"], summ["monetary_value"]
    v = customer_value(bg, gg, f, r, T, m, horizon=52, discount_rate=0.0)
    expected = bg.conditional_expected_purchases(52, f, r, T) * gg.conditional_expected_spend(f, m)
    np.testing.assert_allclose(v, expected, rtol=1e-12)
    assert (customer_value(bg, gg, f, r, T, m, horizon=52, discount_rate=0.1) < v).all()


def test_summary_wald_interval_at_level_matches_lifetimes_and_normal_quantiles(summ, bg, lt):
    tab = bg.summary()
    assert list(tab.columns) == ["estimate", "se", "ci_low", "ci_high"] and tab.index.name == "parameter"
    # lifetimes 0.11.3 prints "lower 95% bound" / "upper 95% bound" = coef -/+ 1.96 se
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = lt.BetaGeoFitter().fit(summ["frequency"], summ["recency"], summ["T"]).summary
    for k in ("r", "alpha", "a", "b"):
        assert tab.loc[k, "ci_low"] == pytest.approx(ref.loc[k, "lower 95% bound"], rel=2e-3)
        assert tab.loc[k, "ci_high"] == pytest.approx(ref.loc[k, "upper 95% bound"], rel=2e-3)
    # exact identity at any level: estimate -/+ z_{(1+level)/2} se, z from the normal quantile
    from scipy.stats import norm

    t90 = bg.summary(level=0.90)
    np.testing.assert_allclose(t90["ci_high"] - t90["estimate"], norm.ppf(0.95) * bg.se_, rtol=1e-12)
    np.testing.assert_allclose(t90["estimate"] - t90["ci_low"], norm.ppf(0.95) * bg.se_, rtol=1e-12)
    np.testing.assert_allclose(tab["ci_high"] - tab["ci_low"], 2 * norm.ppf(0.975) * bg.se_, rtol=1e-12)
    with pytest.raises(ParameterError, match="level"):
        bg.summary(level=95)
    with pytest.raises(AttributeError, match="not fitted"):
        GammaGamma().summary()


def test_concentration_shares():
    out = concentration(np.arange(1, 11, dtype=float))  # total 55; top 1 = 10, top 2 = 19
    assert out == {"top10_share": pytest.approx(10 / 55), "top20_share": pytest.approx(19 / 55)}


def test_holdout_tables_add_up(cdnow, bg):
    s = cdnow.table
    tab = holdout_by_frequency(bg, s)
    assert tab["customers"].sum() == 2357
    assert (tab["customers"] * tab["actual"]).sum() == pytest.approx(s["frequency_holdout"].sum())
    err = holdout_errors(bg, s)
    assert err["actual_repeat"] == s["frequency_holdout"].sum()
    assert (tab["customers"] * tab["predicted"]).sum() == pytest.approx(err["predicted_repeat"])
    track = tracking(bg, cdnow.births(), cdnow.period_counts, periods=78)
    total_actual = s["frequency"].sum() + s["frequency_holdout"].sum()
    assert track["cumulative_actual"].iloc[-1] == total_actual == 4339
    # exact recomputation of the cohort expectation at week 78: sum_i E[X(78 - birth_i)]
    direct = bg.expected_purchases(np.clip(78 - cdnow.births(), 0, None)).sum()
    assert track["cumulative_expected"].iloc[-1] == pytest.approx(direct, rel=1e-12)
    # calibration weeks: the fitted model reproduces the 2457 observed repeat purchases within 2%
    assert track["cumulative_expected"].iloc[38] == pytest.approx(2457, rel=0.02)


def test_independence_check_on_cdnow(summ):
    out = independence_check(summ["frequency"], summ["monetary_value"])
    # Fader & Hardie (2013): correlation between x and m_x among the 946 repeaters is 0.11
    assert out["n"] == 946
    assert out["pearson"] == pytest.approx(0.11, abs=0.006)


# --- bad input ---------------------------------------------------------------------------------

def test_no_repeat_buyers_is_a_data_error():
    with pytest.raises(DataError, match="no repeat buyers"):
        BGNBD().fit([0, 0, 0], [0, 0, 0], [10, 20, 30])


def test_inconsistent_recency_names_rows():
    with pytest.raises(DataError, match="recency"):
        BGNBD().fit([1, 2], [5.0, 40.0], [30.0, 30.0])
    with pytest.raises(DataError, match="frequency"):
        ParetoNBD().fit([1.5, 2], [5.0, 4.0], [30.0, 30.0])


def test_non_convergence_raises_convergence_error():
    # every customer buys at an exactly constant rate and never drops out: a -> 0 (edge of the space)
    f = np.array([5, 10, 20, 40] * 50)
    with pytest.raises(ConvergenceError, match="did not converge"):
        BGNBD().fit(f, np.full(200, 39.0), np.full(200, 39.0))


def test_clv_rejects_bad_horizon(bg, gg):
    with pytest.raises(ParameterError, match="horizon"):
        customer_value(bg, gg, [1], [1.0], [2.0], [10.0], horizon=-1, discount_rate=0.1)


def test_predictions_stay_finite_for_very_frequent_buyers(bg, pn):
    # the direct hypergeometric forms overflow near x ~ 300; the Euler-transformed ones must not
    x = np.array([0, 5, 300, 3000.0])
    tx, T = np.array([0, 30.0, 38.0, 38.9]), np.full(4, 39.0)
    for model in (bg, pn):
        ce = model.conditional_expected_purchases(39, x, tx, T)
        assert np.isfinite(ce).all() and (ce >= 0).all()
        assert np.isfinite(model.loglik(x, tx, T)).all()
        assert np.isfinite(model.p_alive(x, tx, T)).all()
    # exact recomputation (Fader & Hardie 2005 note, eq. 41): P(alive) (r+x)(beta+T)/((alpha+T)(s-1)) [1 - (.)^(s-1)]
    r, alpha, s, beta = pn.params_
    pa = pn.p_alive([3000.0], [38.9], [39.0])[0]
    assert 0.5 < pa <= 1
    direct = pa * (r + 3000) * (beta + 39) / ((alpha + 39) * (s - 1)) * (1 - ((beta + 39) / (beta + 78)) ** (s - 1))
    assert pn.conditional_expected_purchases(39, [3000.0], [38.9], [39.0])[0] == pytest.approx(direct, rel=1e-10)


def test_time_unit_invariance_days_vs_weeks(summ, bg):
    # measuring time in days scales alpha by 7, leaves r, a, b unchanged and shifts LL by -sum(x) log 7
    f, r, T = summ["frequency"], summ["recency"], summ["T"]
    days = BGNBD().fit(f, r * 7, T * 7)
    assert days.params_["alpha"] == pytest.approx(7 * bg.params_["alpha"], rel=1e-6)
    for k in ("r", "a", "b"):
        assert days.params_[k] == pytest.approx(bg.params_[k], rel=1e-6)
    assert days.loglik_ == pytest.approx(bg.loglik_ - f.sum() * np.log(7), abs=1e-6)


def test_compress_counts_and_inverse():
    from crmlab.clv import compress

    x = np.array([0, 1, 0, 1, 2, 0])
    t = np.array([0.0, 3.0, 0.0, 3.0, 5.0, 0.0])
    (ux, ut), counts, inv = compress(x, t)
    assert len(ux) == 3 and counts.sum() == 6
    np.testing.assert_array_equal(ux[inv], x)
    np.testing.assert_array_equal(ut[inv], t)
    assert dict(zip(ux.tolist(), counts.tolist())) == {0: 3.0, 1: 2.0, 2: 1.0}
    # many distinct values per column: the combined key is renumbered instead of overflowing
    rng = np.random.default_rng(0)
    cols = [rng.integers(0, 2**20, 5000).astype(float) for _ in range(4)]
    uniq, counts, inv = compress(*cols)
    for u, c in zip(uniq, cols):
        np.testing.assert_array_equal(u[inv], c)


# --- Pareto/NBD analytic gradient --------------------------------------------------------------

@pytest.mark.parametrize("theta", [(0.553, 10.578, 0.606, 11.669), (0.3, 5.0, 0.9, 2.0), (2.0, 1.0, 0.2, 40.0),
                                   (0.1, 0.05, 3.0, 0.5), (1.5, 30.0, 1.2, 0.01)])
def test_paretonbd_analytic_gradient_matches_finite_differences(summ, theta):
    data = ParetoNBD._prepare(summ["frequency"].to_numpy(float), summ["recency"].to_numpy(float),
                              summ["T"].to_numpy(float))
    est = ParetoNBD()
    assert est.analytic_gradient
    theta = np.array(theta)
    g = est._grad(theta, data).sum(axis=0)
    ll, G = est._loglik_grad(theta, data)
    np.testing.assert_allclose(ll, est._loglik(theta, data), rtol=0, atol=0)
    np.testing.assert_allclose(G.sum(axis=0), g, rtol=1e-14)

    def f(t):
        return est._loglik(t, data).sum()

    for j in range(len(theta)):
        h = 1e-4 * theta[j]
        e = np.zeros_like(theta)
        e[j] = h
        # fourth-order central difference (truncation error ~h^4)
        fd = (-f(theta + 2 * e) + 8 * f(theta + e) - 8 * f(theta - e) + f(theta - 2 * e)) / (12 * h)
        assert g[j] == pytest.approx(fd, rel=1e-6)


@pytest.mark.slow  # ~2-4 minutes of 30-digit mpmath quadrature
def test_paretonbd_gradient_moments_match_high_precision_quadrature():
    mp = pytest.importorskip("mpmath")
    from crmlab.clv.paretonbd import _a0_moments
    mp.mp.dps = 30
    rng = np.random.default_rng(7)
    worst = 0.0
    for it in range(40):
        r, alpha, s, beta = np.exp(rng.uniform(-3, 3, 4))
        x = float(rng.integers(0, 5) if it % 3 == 0 else rng.integers(0, 200))
        T = float(rng.uniform(1, 100))
        tx = 0.0 if x == 0 else float(rng.uniform(0, T))
        got = _a0_moments(r, alpha, s, beta, np.array([x]), np.array([tx]), np.array([T]))[0]

        def dens(t):
            return (alpha + t) ** (-(r + x)) * (beta + t) ** (-(s + 1))

        pts = [tx + (T - tx) * q for q in [0.0, *np.geomspace(1e-6, 1, 40)]]
        total = mp.quad(dens, pts)
        ref = [mp.quad(lambda t, g=g: dens(t) * g(t), pts) / total
               for g in (lambda t: mp.log(alpha + t), lambda t: mp.log(beta + t),
                         lambda t: 1 / (alpha + t), lambda t: 1 / (beta + t))]
        worst = max(worst, max(abs(float(got[i] / ref[i]) - 1) for i in range(4)))
    assert worst < 1e-10
    # no dropout window: t_x == T contributes nothing
    assert np.all(_a0_moments(0.5, 10.0, 0.6, 11.0, np.array([2.0]), np.array([30.0]), np.array([30.0])) == 0)


def test_paretonbd_fit_loglik_and_gradient_at_optimum(summ, pn):
    # Fader & Hardie (2005), MATLAB note: LL = -9594.98 at r=0.553, alpha=10.578, s=0.606, beta=11.669
    assert pn.loglik_ == pytest.approx(-9594.98, abs=0.01)
    data = ParetoNBD._prepare(summ["frequency"].to_numpy(float), summ["recency"].to_numpy(float),
                              summ["T"].to_numpy(float))
    g = pn._grad(pn.params_.to_numpy(), data).sum(axis=0) * pn.params_.to_numpy()
    assert np.max(np.abs(g)) < 1e-6
    assert np.all(np.isfinite(pn.se_)) and np.all(pn.se_ > 0)
