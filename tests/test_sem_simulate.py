"""Parameter recovery from crmlab.simulate.sem (synthetic ground truth)."""
import numpy as np
import pandas as pd
import pytest

from crmlab import loyalty
from crmlab.core.errors import ParameterError
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem import ECSI_TRUE_PATHS, simulate_survey

THRESHOLD = {"path": "LOY~SAT", "threshold": 0.5, "slope_below": 0.05, "slope_above": 1.0, "noise": 0.4}


def test_generator_reproduces_its_population_structure():
    data, truth = simulate_survey(ECSI_MODEL, ECSI_TRUE_PATHS, n=20000, within_corr=0.5, seed=1)
    eta = truth["latent"]
    # composite of equally weighted items equals the construct exactly
    w = truth["weights"]["sat1"]
    comp = ((data[["sat1", "sat2", "sat3", "sat4"]] - 7) / 1.8).sum(axis=1) * w
    np.testing.assert_allclose(comp, eta["SAT"], atol=1e-10)
    # within-block correlation as requested, latent OLS recovers the paths
    assert data[["qual1", "qual2"]].corr().iloc[0, 1] == pytest.approx(0.5, abs=0.02)
    beta, *_ = np.linalg.lstsq(eta[["IMAG", "SAT"]].to_numpy(), eta["LOY"].to_numpy(), rcond=None)
    np.testing.assert_allclose(beta, [ECSI_TRUE_PATHS["LOY~IMAG"], ECSI_TRUE_PATHS["LOY~SAT"]], atol=0.02)


def test_pls_recovers_true_paths_within_two_bootstrap_se():
    data, truth = simulate_survey(ECSI_MODEL, ECSI_TRUE_PATHS, n=1500, seed=3)
    m = PLSPM(ECSI_MODEL).fit(data)
    boot = m.bootstrap(300, seed=1)
    true = pd.Series(truth["paths"])[m.paths_.index]
    z = (m.paths_ - true) / boot.paths["se"]
    assert (z.abs() < 2).all(), z
    load_true = pd.Series(truth["loadings"])[m.loadings_.index]
    # 27 loadings: Bonferroni-adjusted bound (z = 3.2 for a 5% family-wise level)
    zl = (m.loadings_ - load_true) / boot.loadings["se"]
    assert (zl.abs() < 3.2).all(), zl


def test_rounded_answers_on_a_0_10_scale():
    data, _ = simulate_survey(ECSI_MODEL, ECSI_TRUE_PATHS, n=300, levels=(0, 10), seed=2)
    assert data.to_numpy().min() >= 0 and data.to_numpy().max() <= 10
    assert all(pd.api.types.is_integer_dtype(t) for t in data.dtypes)


@pytest.mark.parametrize("shape, expected", [(THRESHOLD, "piecewise"), (None, "linear")])
def test_shape_analysis_picks_the_true_form(shape, expected):
    data, truth = simulate_survey(ECSI_MODEL, ECSI_TRUE_PATHS, n=1000, shape=shape, seed=4)
    m = PLSPM(ECSI_MODEL).fit(data)
    res = loyalty.fit_shapes(m.scores_["SAT"], m.scores_["LOY"], seed=1)
    assert res.best == expected
    if shape:
        assert res.best_aic == "piecewise"
        assert res.threshold == pytest.approx(shape["threshold"], abs=0.25)


def test_generator_rejects_incomplete_or_impossible_paths():
    with pytest.raises(ParameterError, match="missing"):
        simulate_survey(ECSI_MODEL, {"EXPE~IMAG": 0.5}, n=10)
    bad = dict(ECSI_TRUE_PATHS, **{"SAT~VAL": 0.99, "SAT~QUAL": 0.9})
    with pytest.raises(ParameterError, match="explain"):
        simulate_survey(ECSI_MODEL, bad, n=10)
