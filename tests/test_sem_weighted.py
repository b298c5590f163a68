"""Weighted PLS (survey weights) and the weighted bootstrap.

References
----------
* Exact identity: integer weights give exactly the estimates of the unweighted fit on
  the data with each row repeated ``w_i`` times (every step uses the weighted
  covariance matrix, which equals the covariance matrix of the repeated rows).
* Exact recomputation: the batched weighted bootstrap equals refitting each resample
  with the resampled respondents' own weights (replicate weights ``c_bi w_i``).
* Simulation (crmlab.simulate.sem): a population of two segments with different paths,
  sampled disproportionately; design weights recover the population paths (computed
  from the segments' latent correlation matrices), the unweighted fit does not.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem import simulate_survey

MIXED = ECSI_MODEL.replace("IMAG =~", "IMAG <~").replace("VAL  =~", "VAL  <~")
HOC = ECSI_MODEL.replace("VAL  ~ EXPE + QUAL\n", "").replace("SAT  ~ IMAG + EXPE + QUAL + VAL", "SAT ~ IMAG + PERF") \
    .replace("QUAL ~ EXPE", "PERF ~ EXPE") + "PERF =~ QUAL + VAL\n"


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


@pytest.mark.parametrize("model, method, scaled", [
    (ECSI_MODEL, "pls", True), (ECSI_MODEL, "pls", False), (ECSI_MODEL, "plsc", True),
    (MIXED, "pls", True), (HOC, "pls", True)])
def test_integer_weights_equal_pls_on_repeated_rows(ecsi, model, method, scaled):
    w = np.random.default_rng(3).integers(0, 4, len(ecsi))  # zeros drop respondents
    rep = ecsi.loc[np.repeat(ecsi.index, w)].reset_index(drop=True)
    a = PLSPM(model, method=method, scaled=scaled).fit(ecsi, weights=w)
    b = PLSPM(model, method=method, scaled=scaled).fit(rep)
    np.testing.assert_allclose(a.paths_, b.paths_, atol=1e-10)
    np.testing.assert_allclose(a.weights_, b.weights_, atol=1e-10)
    np.testing.assert_allclose(a.loadings_, b.loadings_, atol=1e-10)
    np.testing.assert_allclose(a.r2_, b.r2_, atol=1e-10)
    np.testing.assert_allclose(a.rho_a_.fillna(0), b.rho_a_.fillna(0), atol=1e-10)
    # scores use the weighted standardisation: the first copy of each kept row matches
    first = np.r_[0, np.cumsum(w[w > 0])[:-1]]
    np.testing.assert_allclose(a.scores_.to_numpy()[w > 0], b.scores_.to_numpy()[first], atol=1e-9)
    assert a.n_eff_ == pytest.approx(w.sum() ** 2 / (w ** 2).sum())


def test_weights_by_column_name_equal_weights_by_array(ecsi):
    df = ecsi.copy()
    df["wt"] = np.random.default_rng(1).uniform(0.2, 3.0, len(df))
    a = PLSPM(ECSI_MODEL).fit(df, weights="wt")
    b = PLSPM(ECSI_MODEL).fit(df, weights=df["wt"].to_numpy())
    np.testing.assert_allclose(a.paths_, b.paths_, atol=1e-14)
    np.testing.assert_allclose(a.sample_weights_, df["wt"], atol=0)
    # constant weights change nothing
    c = PLSPM(ECSI_MODEL).fit(df, weights=np.full(len(df), 2.5))
    d = PLSPM(ECSI_MODEL).fit(df)
    np.testing.assert_allclose(c.paths_, d.paths_, atol=1e-12)
    assert d.sample_weights_ is None and d.n_eff_ == len(df)


def test_weighted_bootstrap_equals_refitting_resamples_with_their_weights(ecsi):
    w = np.random.default_rng(8).uniform(0.3, 3.0, len(ecsi))
    m = PLSPM(MIXED).fit(ecsi, weights=w)
    boot = m.bootstrap(12, seed=6, chunk=12)
    assert boot.weighted
    n = len(ecsi)
    idx = np.random.default_rng(6).integers(0, n, size=(12, n))
    fits = [PLSPM(MIXED).fit(ecsi.iloc[i].reset_index(drop=True), weights=w[i]) for i in idx]
    paths = np.array([f.paths_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.paths["se"], paths.std(axis=0, ddof=1), atol=1e-8)
    np.testing.assert_allclose(boot.paths["ci_low"], np.quantile(paths, 0.025, axis=0), atol=1e-8)
    wts = np.array([f.weights_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.weights["mean"], wts.mean(axis=0), atol=1e-8)


SEG = """
S =~ s1 + s2 + s3
Q =~ q1 + q2 + q3
L =~ l1 + l2 + l3
Q ~ S
L ~ S + Q
"""
SEG_A = {"Q~S": 0.5, "L~S": 0.6, "L~Q": 0.2}
SEG_B = {"Q~S": 0.5, "L~S": 0.05, "L~Q": 0.6}


def test_design_weights_recover_population_paths_from_disproportionate_sample():
    share = {"A": 0.8, "B": 0.2}           # population shares
    parts, phis = [], {}
    for g, paths, seed in (("A", SEG_A, 31), ("B", SEG_B, 32)):
        d, _ = simulate_survey(SEG, paths, n=600, seed=seed)       # 50/50 sample
        parts.append(d.assign(seg=g))
        _, big = simulate_survey(SEG, paths, n=100_000, seed=seed + 10)
        phis[g] = np.corrcoef(big["latent"][["S", "Q", "L"]].to_numpy(), rowvar=False)
    data = pd.concat(parts, ignore_index=True)
    w = data["seg"].map({g: share[g] / 0.5 for g in share}).to_numpy()
    # population value: composite-model PLS is consistent, so the population paths are OLS on
    # the mixture's latent correlation matrix (both segments have mean-zero unit-variance constructs)
    phi = share["A"] * phis["A"] + share["B"] * phis["B"]
    pop = {"Q~S": phi[0, 1]}
    pop["L~S"], pop["L~Q"] = np.linalg.solve(phi[:2, :2], phi[:2, 2])
    pop = pd.Series(pop)
    m = PLSPM(SEG).fit(data, weights=w)
    boot = m.bootstrap(400, seed=1)
    z = (m.paths_ - pop[m.paths_.index]) / boot.paths["se"]
    assert (z.abs() < 2).all(), z
    u = PLSPM(SEG).fit(data)
    ub = u.bootstrap(400, seed=1)
    zu = (u.paths_ - pop[u.paths_.index]) / ub.paths["se"]
    assert zu.abs().max() > 3, zu
    assert m.n_eff_ < len(data)


def test_bad_weights_name_rows_and_parameter(ecsi):
    w = np.ones(len(ecsi))
    w[[4, 9]] = np.nan
    with pytest.raises(DataError, match=r"2 missing.*rows \[5, 10\].*parameter weights"):
        PLSPM(ECSI_MODEL).fit(ecsi, weights=w)
    w = np.ones(len(ecsi))
    w[0] = -1
    with pytest.raises(DataError, match=r"negative.*rows \[1\]"):
        PLSPM(ECSI_MODEL).fit(ecsi, weights=w)
    with pytest.raises(DataError, match="249 values but the data has 250"):
        PLSPM(ECSI_MODEL).fit(ecsi, weights=np.ones(249))
    with pytest.raises(DataError, match="'wgt' is missing"):
        PLSPM(ECSI_MODEL).fit(ecsi, weights="wgt")
    with pytest.raises(DataError, match="sum to 0"):
        PLSPM(ECSI_MODEL).fit(ecsi, weights=np.zeros(len(ecsi)))
    with pytest.raises(DataError, match="duplicate index"):
        PLSPM(ECSI_MODEL).fit(pd.concat([ecsi, ecsi]), weights=np.ones(2 * len(ecsi)))
