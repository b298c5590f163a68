"""Synthetic BG/NBD, Pareto/NBD and Gamma-Gamma logs: parameter recovery at 50k customers, moments, pipeline."""

import numpy as np
import pandas as pd
import pytest

from crmlab import transactions as tr
from crmlab.clv import BGNBD, GammaGamma, ParetoNBD
from crmlab.core.errors import ParameterError
from crmlab.simulate.transactions import simulate_transactions

FHL_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
FHL_PN = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
FHL_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def sim_bg():
    return simulate_transactions(50_000, model="bgnbd", **FHL_BG, **FHL_GG, seed=11)


def _assert_recovered(model, truth):
    for k, v in truth.items():
        est, se = model.params_[k], model.se_[k]
        assert abs(est - v) < 4 * se, f"{k}: estimate {est:.4f} (se {se:.4f}) vs true {v}"
        assert abs(est - v) < 0.1 * v, f"{k}: estimate {est:.4f} more than 10% from {v}"


def test_bgnbd_and_gammagamma_recover_parameters_at_50k(sim_bg):
    s = sim_bg.summary_at("1998-06-30")
    assert len(s) == 50_000
    bg = BGNBD().fit(s["frequency"], s["recency"], s["T"])
    _assert_recovered(bg, FHL_BG)
    rep = s[s["frequency"] > 0]
    gg = GammaGamma().fit(rep["frequency"], rep["monetary_value"])
    _assert_recovered(gg, FHL_GG)


@pytest.mark.slow  # ~10 s: a 50k-customer Pareto/NBD fit
def test_paretonbd_recovers_parameters_at_50k():
    sim = simulate_transactions(50_000, model="paretonbd", **FHL_PN, seed=12)
    s = sim.summary_at("1998-06-30")
    pn = ParetoNBD().fit(s["frequency"], s["recency"], s["T"])
    _assert_recovered(pn, FHL_PN)


@pytest.mark.parametrize("model,params", [("bgnbd", FHL_BG), ("paretonbd", FHL_PN)])
def test_mean_repeat_purchases_match_model_expectation(model, params):
    # exact recomputation: the sample mean of X(T_i) equals the mean of E[X(T_i)] at the true parameters
    sim = simulate_transactions(40_000, model=model, **params, seed=13)
    s = sim.summary_at("1997-09-30")
    est = (BGNBD if model == "bgnbd" else ParetoNBD)()
    expected = est.expected_purchases(s["T"].to_numpy(), params=params).mean()
    se = s["frequency"].std() / np.sqrt(len(s))
    assert abs(s["frequency"].mean() - expected) < 3.5 * se


def test_log_summary_agrees_with_exact_summary(sim_bg):
    exact = sim_bg.summary_at("1997-10-01")  # the log's calibration_end day is inclusive
    got = tr.summarize(sim_bg.log, calibration_end="1997-09-30", holdout_end="1998-06-30").table
    assert list(got.index) == list(exact.index)
    # day resolution: T within one day; same-day purchases collapse, so x can only shrink
    assert np.abs(got["T"] - exact["T"]).max() <= 1 / 7 + 1e-9
    assert (got["frequency"] <= exact["frequency"]).all()
    assert (got["frequency"] == exact["frequency"]).mean() > 0.98


def test_generator_is_reproducible_and_validates():
    sim = simulate_transactions(500, **FHL_BG, seed=3)
    a = sim.log
    b = simulate_transactions(500, **FHL_BG, seed=3).log
    c = simulate_transactions(500, **FHL_BG, seed=4).log
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    # every customer's first row is the first purchase at its birth date, and the rows follow in time
    first = a.groupby("customer_id")["date"].min()
    pd.testing.assert_series_equal(first, sim.customers["birth"].astype(first.dtype), check_names=False)
    assert a.groupby("customer_id")["date"].apply(lambda d: d.is_monotonic_increasing).all()
    with pytest.raises(ParameterError, match="'a'"):
        simulate_transactions(10, r=0.2, alpha=4.0, b=2.0)
    with pytest.raises(ParameterError, match="model"):
        simulate_transactions(10, model="nbd", r=0.2, alpha=4.0)
    with pytest.raises(ParameterError, match="n_customers"):
        simulate_transactions(0, **FHL_BG)
