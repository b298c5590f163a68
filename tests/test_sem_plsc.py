"""Consistent PLS (PLSc, Dijkstra & Henseler 2015) and rho_A.

References
----------
* ADANCO 2.2.1: the ECSI model with all blocks "Mode A consistent", centroid scheme, on
  R plspm's ``satisfaction`` data (identical values to crmlab's data/ecsi).  Numbers read
  from ``tests/comparisons/results_cf_model_adanco_2_2_1_centroid.xls`` in the cSEM
  repository (FloSchuberth/cSEM; script ``Compare_to_ADANCO_and_matrixpls_cf_model.R``
  reports cSEM 0.4.0.9000 and matrixpls 1.0.13 identical to ADANCO at the 8th significant
  digit).  ADANCO's tolerance was 1e-6.
* seminr (sem-in-r/seminr, package version 2.3.1 at the mirrored commit), test fixtures
  ``tests/fixtures/V_3_6_0/{path_coef1,loadings1,rsquaredplsc,rho1}.csv`` written by
  ``tests/testthat/test-consistent.R``: reflective (hence PLSc) Image, Expectation, Value ->
  Satisfaction on the ``mobi`` data with ``inner_weights = path_factorial``.  ``mobi``
  (250 x 24, the ECSI mobile-phone survey of Tenenhaus et al. 2005) is copied from
  seminr's ``data/mobi.rda`` into tests/fixtures/mobi.csv; it is a different survey from
  crmlab's data/ecsi (plspm's ``satisfaction``: 27 items, other values).
* Exact identity: with perfectly reliable blocks PLSc equals PLS.
* Simulation (crmlab.simulate.sem, common-factor items): PLSc recovers the true paths,
  PLS attenuates them by sqrt(rho_A,i rho_A,j) and inflates loadings.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import ParameterError
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem import ECSI_TRUE_PATHS, simulate_survey
from tests.conftest import FIXTURES

# ADANCO 2.2.1, common-factor model (Mode A consistent), centroid scheme, satisfaction data
ADANCO_WEIGHTS = {
    'imag1': 0.2060129566, 'imag2': 0.297181216, 'imag3': 0.3068289331, 'imag4': 0.1813457074,
    'imag5': 0.2862782013, 'expe1': 0.2356919117, 'expe2': 0.2816339128, 'expe3': 0.2235533623,
    'expe4': 0.261060206, 'expe5': 0.2652887817, 'qual1': 0.2416926172, 'qual2': 0.2689220747,
    'qual3': 0.2250420906, 'qual4': 0.2458890552, 'qual5': 0.2464440449, 'val1': 0.3547713653,
    'val2': 0.2856825723, 'val3': 0.2498838797, 'val4': 0.3274085931, 'sat1': 0.3170501805,
    'sat2': 0.3172114325, 'sat3': 0.2482115867, 'sat4': 0.2601389093, 'loy1': 0.3740666054,
    'loy2': 0.2516612947, 'loy3': 0.3712029459, 'loy4': 0.223107625}
ADANCO_LOADINGS = {
    'imag1': 0.5606061699, 'imag2': 0.8086948803, 'imag3': 0.834948422, 'imag4': 0.4934812069,
    'imag5': 0.7790254002, 'expe1': 0.6725450271, 'expe2': 0.8036401682, 'expe3': 0.6379077716,
    'expe4': 0.7449332567, 'expe5': 0.7569994644, 'qual1': 0.7470531148, 'qual2': 0.8312172538,
    'qual3': 0.69558763, 'qual4': 0.7600239788, 'qual5': 0.7617394091, 'val1': 0.8668834087,
    'val2': 0.6980650254, 'val3': 0.6105909626, 'val4': 0.8000225074, 'sat1': 0.9139540124,
    'sat2': 0.9144188501, 'sat3': 0.7155144184, 'sat4': 0.7498970652, 'loy1': 0.889667364,
    'loy2': 0.5985427125, 'loy3': 0.8828565332, 'loy4': 0.5306316301}
ADANCO_PATHS = {
    'EXPE~IMAG': 0.6564368316, 'SAT~IMAG': -0.0007913825, 'LOY~IMAG': 0.3181307739,
    'QUAL~EXPE': 0.9798021302, 'VAL~EXPE': -1.7117019933, 'SAT~EXPE': 0.5464296523,
    'VAL~QUAL': 2.5596342583, 'SAT~QUAL': -0.8542119711, 'SAT~VAL': 1.2534917205, 'LOY~SAT': 0.5088614698}
ADANCO_R2 = {'EXPE': 0.4309093139, 'QUAL': 0.9600122144, 'VAL': 0.8959762345, 'SAT': 0.8844807284,
             'LOY': 0.6091048169}
ADANCO_RHO_A = {'IMAG': 0.8547299913, 'EXPE': 0.8514640015, 'QUAL': 0.8746628304, 'VAL': 0.8491281636,
                'SAT': 0.907274865, 'LOY': 0.8640293549}
ADANCO_CORR = {
    'EXPE|IMAG': 0.6564368316, 'QUAL|IMAG': 0.7142291698, 'QUAL|EXPE': 0.9798021302, 'VAL|IMAG': 0.8146315864,
    'VAL|EXPE': 0.7962331057, 'VAL|QUAL': 0.882504999, 'SAT|IMAG': 0.7689360089, 'SAT|EXPE': 0.7070230562,
    'SAT|QUAL': 0.7868284473, 'SAT|VAL': 0.9340860796, 'LOY|IMAG': 0.7094126816, 'LOY|EXPE': 0.5635933997,
    'LOY|QUAL': 0.7047655478, 'LOY|VAL': 0.7967164636, 'LOY|SAT': 0.7534836774}

MOBI_MODEL = """
Image        =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation  =~ CUEX1 + CUEX2 + CUEX3
Value        =~ PERV1 + PERV2
Satisfaction =~ CUSA1 + CUSA2 + CUSA3
Satisfaction ~ Image + Expectation + Value
"""
# seminr fixtures (see module docstring)
SEMINR_PATHS = {"Satisfaction~Image": 0.537704707482867, "Satisfaction~Expectation": 0.240967661696417,
                "Satisfaction~Value": 0.25827986805094}
SEMINR_LOADINGS = {
    "IMAG1": 0.681330024716575, "IMAG2": 0.521278271799338, "IMAG3": 0.410112763312163,
    "IMAG4": 0.680389608942476, "IMAG5": 0.638496321953613, "CUEX1": 0.494277870827744,
    "CUEX2": 0.487740006832332, "CUEX3": 0.426779732808667, "PERV1": 0.741892556089151,
    "PERV2": 0.943732643413645, "CUSA1": 0.719458946793877, "CUSA2": 0.687819429423528,
    "CUSA3": 0.794919272741098}
SEMINR_R2 = 0.885707115746682
SEMINR_RHO_A = {"Image": 0.745259028158099, "Expectation": 0.461548791591939, "Value": 0.857578544960532,
                "Satisfaction": 0.782558691647281}


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


def test_plsc_matches_adanco_2_2_1_on_satisfaction(ecsi):
    m = PLSPM(ECSI_MODEL, scheme="centroid", method="plsc").fit(ecsi)
    items = list(ADANCO_WEIGHTS)
    np.testing.assert_allclose(m.weights_[items], list(ADANCO_WEIGHTS.values()), atol=1e-6)
    np.testing.assert_allclose(m.loadings_[items], list(ADANCO_LOADINGS.values()), atol=1e-6)
    np.testing.assert_allclose(m.rho_a_[list(ADANCO_RHO_A)], list(ADANCO_RHO_A.values()), atol=1e-6)
    np.testing.assert_allclose(m.paths_[list(ADANCO_PATHS)], list(ADANCO_PATHS.values()), atol=1e-5)
    np.testing.assert_allclose(m.r2_[list(ADANCO_R2)], list(ADANCO_R2.values()), atol=1e-6)
    corr = [m.construct_corr_.loc[k.split("|")[0], k.split("|")[1]] for k in ADANCO_CORR]
    np.testing.assert_allclose(corr, list(ADANCO_CORR.values()), atol=1e-6)
    assert m.admissible_
    # the composite (proxy) correlations are the plain PLS ones
    pls = PLSPM(ECSI_MODEL, scheme="centroid").fit(ecsi)
    np.testing.assert_allclose(m.proxy_corr_, pls.construct_corr_, atol=1e-12)
    np.testing.assert_allclose(m.rho_a_, pls.rho_a_, atol=1e-12)  # rho_A is reported by plain PLS too


def test_plsc_matches_seminr_on_mobi_factorial_scheme():
    mobi = pd.read_csv(FIXTURES / "mobi.csv")
    m = PLSPM(MOBI_MODEL, scheme="factorial", method="plsc").fit(mobi)
    np.testing.assert_allclose(m.paths_[list(SEMINR_PATHS)], list(SEMINR_PATHS.values()), atol=1e-6)
    np.testing.assert_allclose(m.loadings_[list(SEMINR_LOADINGS)], list(SEMINR_LOADINGS.values()), atol=1e-6)
    assert m.r2_["Satisfaction"] == pytest.approx(SEMINR_R2, abs=1e-6)
    np.testing.assert_allclose(m.rho_a_[list(SEMINR_RHO_A)], list(SEMINR_RHO_A.values()), atol=1e-6)


def _perfect_blocks(seed=4):
    """Items that are exact positive rescalings of their construct: every block perfectly reliable."""
    _, truth = simulate_survey(ECSI_MODEL, ECSI_TRUE_PATHS, n=400, seed=seed)
    eta = truth["latent"]
    rng = np.random.default_rng(seed)
    from crmlab.core.modeltext import parse_model
    spec = parse_model(ECSI_MODEL)
    cols = {it: rng.uniform(0.5, 3) * eta[c].to_numpy() + rng.uniform(-5, 5)
            for c, its in spec.constructs.items() for it in its}
    return pd.DataFrame(cols)


@pytest.mark.parametrize("scaled", [True, False])
def test_plsc_equals_pls_when_blocks_are_perfectly_reliable(scaled):
    df = _perfect_blocks()
    a = PLSPM(ECSI_MODEL, scaled=scaled).fit(df)
    b = PLSPM(ECSI_MODEL, scaled=scaled, method="plsc").fit(df)
    np.testing.assert_allclose(b.rho_a_, 1.0, atol=1e-9)
    np.testing.assert_allclose(b.paths_, a.paths_, atol=1e-9)
    np.testing.assert_allclose(b.loadings_, a.loadings_, atol=1e-9)
    np.testing.assert_allclose(b.loadings_, 1.0, atol=1e-9)
    np.testing.assert_allclose(b.r2_, a.r2_, atol=1e-9)


CHAIN = """
A =~ a1 + a2 + a3 + a4
B =~ b1 + b2 + b3 + b4
C =~ c1 + c2 + c3
D =~ d1 + d2 + d3 + d4
B ~ A
C ~ A + B
D ~ C
"""
CHAIN_PATHS = {"B~A": 0.5, "C~A": 0.3, "C~B": 0.4, "D~C": 0.6}
CHAIN_LOADINGS = {"A": [0.8, 0.7, 0.7, 0.6], "B": 0.7, "C": [0.85, 0.75, 0.65], "D": [0.6, 0.7, 0.8, 0.7]}


def test_plsc_recovers_common_factor_paths_and_pls_is_attenuated():
    data, truth = simulate_survey(CHAIN, CHAIN_PATHS, n=1500, measurement="factor", loadings=CHAIN_LOADINGS,
                                  seed=8)
    true_p = pd.Series(truth["paths"])
    true_l = pd.Series(truth["loadings"])
    c = PLSPM(CHAIN, method="plsc").fit(data)
    cb = c.bootstrap(400, seed=3)
    z = (c.paths_ - true_p[c.paths_.index]) / cb.paths["se"]
    assert (z.abs() < 2).all(), z
    zl = (c.loadings_ - true_l[c.loadings_.index]) / cb.loadings["se"]
    assert (zl.abs() < 3.2).all(), zl  # 15 loadings: Bonferroni-style bound
    # rho_A estimates the reliability of the composite; true reliabilities of the sum score
    # are a lower bound for it (composites weight better items more)
    p = PLSPM(CHAIN).fit(data)
    pb = p.bootstrap(400, seed=3)
    # single-predictor paths: plim PLS = beta * sqrt(rho_A,i rho_A,j) < beta
    for key, (i, j) in {"B~A": ("A", "B"), "D~C": ("C", "D")}.items():
        atten = true_p[key] * np.sqrt(c.rho_a_[i] * c.rho_a_[j])
        assert p.paths_[key] < true_p[key] - 3 * pb.paths.loc[key, "se"]
        assert abs(p.paths_[key] - atten) < 2 * pb.paths.loc[key, "se"]
    # PLS loadings are inflated: every one above the true loading
    assert (p.loadings_ > true_l[p.loadings_.index]).all()
    assert (p.loadings_ - c.loadings_).mean() > 0.03


def test_plsc_batched_bootstrap_equals_refitting_each_resample(ecsi):
    """Exact recomputation; ECSI under PLSc is often inadmissible, so keep those resamples here."""
    m = PLSPM(ECSI_MODEL, method="plsc").fit(ecsi)
    boot = m.bootstrap(12, seed=9, chunk=12, inadmissible="keep")
    n = len(ecsi)
    idx = np.random.default_rng(9).integers(0, n, size=(12, n))
    fits = [PLSPM(ECSI_MODEL, method="plsc").fit(ecsi.iloc[i].reset_index(drop=True)) for i in idx]
    paths = np.array([f.paths_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.paths["se"], paths.std(axis=0, ddof=1), atol=1e-8)
    lo = np.array([f.loadings_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.loadings["mean"], lo.mean(axis=0), atol=1e-8)
    rho = np.array([f.rho_a_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.rho_a["se"], rho.std(axis=0, ddof=1), atol=1e-8)
    assert boot.n_inadmissible == sum(not f.admissible_ for f in fits)
    dropped = m.bootstrap(12, seed=9, chunk=12)
    assert dropped.n_resamples == 12 - boot.n_inadmissible and dropped.n_failed == boot.n_inadmissible
    ok = np.array([f.admissible_ for f in fits])
    if ok.sum() > 1:
        np.testing.assert_allclose(dropped.paths["se"], paths[ok].std(axis=0, ddof=1), atol=1e-8)


def test_bad_method_is_rejected(ecsi):
    with pytest.raises(ParameterError, match="method"):
        PLSPM(ECSI_MODEL, method="gsca").fit(ecsi)
    m = PLSPM(ECSI_MODEL, method="plsc").fit(ecsi)
    with pytest.raises(ParameterError, match="inadmissible"):
        m.bootstrap(10, inadmissible="ignore")


def test_factor_generator_reproduces_its_loadings_and_reliabilities():
    data, truth = simulate_survey(CHAIN, CHAIN_PATHS, n=40_000, measurement="factor", loadings=CHAIN_LOADINGS,
                                  seed=1)
    eta = truth["latent"]
    for it, lam in truth["loadings"].items():
        assert np.corrcoef(data[it], eta[it[0].upper()])[0, 1] == pytest.approx(lam, abs=0.015)
    # unique errors are independent across items: r(a1, a2) = lambda_1 lambda_2
    assert data[["a1", "a2"]].corr().iloc[0, 1] == pytest.approx(0.8 * 0.7, abs=0.015)
    lam = np.array(CHAIN_LOADINGS["C"])
    assert truth["reliability"]["C"] == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum()))
    sums = data[["c1", "c2", "c3"]].sum(axis=1)
    assert np.corrcoef(sums, eta["C"])[0, 1] ** 2 == pytest.approx(truth["reliability"]["C"], abs=0.01)
    with pytest.raises(ParameterError, match="loadings"):
        simulate_survey(CHAIN, CHAIN_PATHS, n=10, measurement="factor", loadings={"A": 1.2})
