"""Synthetic Likert surveys: parameter recovery, planted straight-liners, scale usage.

References: the generator's ground truth (known coefficients and thresholds;
population Shapley shares computed exactly from the moments of discretised
normal ratings, cross-checked here by a large Monte-Carlo sample).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.drivers import KeyDriverAnalysis
from crmlab.core.errors import DataError, ParameterError
from crmlab.scale_usage import respondent_scale_use, scale_usage_sensitivity, within_standardize
from crmlab.simulate.likert import _cuts, _level_moments, simulate_likert
from crmlab.survey import clean_survey
from crmlab.survey_models import fit_ordinal


def test_exact_rating_moments_match_monte_carlo():
    cuts = _cuts([1, 2, 3, 4, 3, 2])
    r = 0.45
    mean, var, cov = _level_moments(cuts, r)
    rng = np.random.default_rng(0)
    z = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], size=400_000)
    x = 1 + (z[:, :, None] > cuts).sum(-1)
    assert x.mean() == pytest.approx(mean, abs=0.01)
    assert x[:, 0].var() == pytest.approx(var, rel=0.01)
    assert np.cov(x.T)[0, 1] == pytest.approx(cov, rel=0.02)


def test_ordinal_coefficients_and_thresholds_recovered():
    sim = simulate_likert(6000, beta=(0.6, 0.35, 0.15, 0.0), levels=7, outcome_levels=5, seed=11)
    f = fit_ordinal(sim.data, "overall", sim.truth["drivers"])
    beta = np.array(list(sim.truth["beta"].values()))
    z = (f.coef["coef"].to_numpy() - beta) / f.coef["se"].to_numpy()
    assert np.all(np.abs(z) < 4)
    # fitted cut-points are on the raw-rating scale; centring them at the population
    # mean rating E[x] gives the generator's thresholds
    centred = f.thresholds.to_numpy() - sim.truth["driver_mean"] * f.coef["coef"].sum()
    np.testing.assert_allclose(centred, sim.truth["thresholds"], atol=0.1)


def test_driver_shares_recovered():
    sim = simulate_likert(30000, beta=(0.8, 0.5, 0.3, 0.15, 0.0), seed=5)
    truth = np.array(list(sim.truth["shapley_latent"].values()))
    drivers = sim.truth["drivers"]
    # on the latent satisfaction the population shares are recovered
    d = sim.data.assign(s=sim.latent["s"])
    k = KeyDriverAnalysis().fit(d, "s", drivers)
    np.testing.assert_allclose(k.importance_["shapley"], truth, atol=0.01)
    assert k.r2_ == pytest.approx(sim.truth["r2_latent"], abs=0.01)
    # on the observed ordinal outcome: same order and same relative shares
    k2 = KeyDriverAnalysis().fit(sim.data, "overall", drivers)
    assert k2.rank_ == drivers
    np.testing.assert_allclose(k2.importance_["shapley"] / k2.r2_, truth / truth.sum(), atol=0.02)


def test_hygiene_catches_planted_straight_liners():
    sim = simulate_likert(3000, seed=8, straightliner_share=0.05)
    items = sim.truth["drivers"] + ["overall"]
    rep = clean_survey(sim.data, items, scale_min=1, scale_max=10)
    flagged = set(rep.flags.loc[rep.flags["reason"] == "straight_liner", "row"])
    planted = set(sim.truth["straightliners"])
    assert len(planted) == 150
    assert planted <= flagged
    extra = flagged - planted
    X = sim.data.loc[sorted(extra), items].to_numpy()
    assert np.all(X.max(1) == X.min(1))  # anything else flagged is genuinely constant


def test_generator_bad_parameters():
    with pytest.raises(ParameterError):
        simulate_likert(10, beta=(1, 1), rho=1.2)
    with pytest.raises(ParameterError):
        simulate_likert(10, thresholds=[0, 1])
    with pytest.raises(ParameterError):
        simulate_likert(10, straightliner_share=1.5)


# --- scale usage ---------------------------------------------------------------------------

def test_within_standardisation_invariant_to_respondent_scale_use():
    sim = simulate_likert(1500, seed=3, shift_sd=0.8)
    drivers = sim.truth["drivers"]
    df = sim.data.astype(float)
    rng = np.random.default_rng(1)
    a = rng.normal(0, 2, len(df))
    b = rng.uniform(0.5, 2, len(df))
    distorted = df.mul(b, axis=0).add(a, axis=0)
    s1, _ = within_standardize(df, "overall", drivers)
    s2, _ = within_standardize(distorted, "overall", drivers)
    np.testing.assert_allclose(s1.to_numpy(), s2.to_numpy(), atol=1e-9)
    t1, _ = scale_usage_sensitivity(df, "overall", drivers)
    t2, _ = scale_usage_sensitivity(distorted, "overall", drivers)
    np.testing.assert_allclose(t1["share_pct_within"], t2["share_pct_within"], atol=1e-8)


def test_scale_use_inflates_item_correlations_and_standardisation_removes_it():
    sim = simulate_likert(4000, seed=4, shift_sd=1.0, outcome_scale_use=1.5, rho=0.1)
    drivers = sim.truth["drivers"]
    t, s = scale_usage_sensitivity(sim.data, "overall", drivers)
    assert s["mean_item_corr_raw"] > 0.4                 # 0.1 true + shared scale use
    # leave-one-out standardisation leaves a small negative dependence (about -1/(p-1))
    assert s["mean_item_corr_within"] < 0.0
    assert s["corr_scale_mean_outcome"] > 0.4
    assert t.index.tolist() == drivers and {"rank_raw", "rank_within", "rank_change"} <= set(t.columns)
    su = respondent_scale_use(sim.data, drivers)
    assert np.corrcoef(su["resp_mean"], sim.latent["tau"])[0, 1] > 0.8


def test_straight_liners_cannot_be_standardised_and_are_counted():
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4], "c": [1, 4, 5, 4], "y": [2, 3, 4, 5]})
    out, dropped = within_standardize(df, "y", ["a", "b", "c"])
    assert dropped.tolist() == [True, False, False, True]
    assert out.index.tolist() == [1, 2]
    with pytest.raises(DataError):
        within_standardize(df, "y", ["a", "b"])
