"""Formative (Mode B, ``<~``) blocks: weights, weight VIFs, bootstrap of weights, redundancy analysis.

References
----------
* ADANCO 2.2.1 (Henseler & Dijkstra, Composite Modeling GmbH): all six ECSI blocks as
  emergent variables (Mode B), centroid scheme, on R plspm's ``satisfaction`` data (the
  same 250 x 27 values as crmlab's data/ecsi/satisfaction.csv, checked value by value
  against cSEM's ``data/satisfaction.RData``).  Numbers read from
  ``tests/comparisons/results_composite_model_adanco_2_2_1_centroid.xls`` in the cSEM
  repository (FloSchuberth/cSEM; script ``Compare_to_ADANCO_and_matrixpls_composite_model.R``,
  which reports cSEM 0.4.0.9000 identical to ADANCO at the 8th significant digit).
  ADANCO stopped at tolerance 1e-6, hence the 1e-6 tolerances below.
* The ``plspm`` Python package (test-only reference) with Mode.B blocks.
* Exact identities: Mode B weights are the OLS coefficients of the inner proxy on the
  block's items; the redundancy path of a Mode B block is the multiple correlation of
  the global item with the block's items.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL, parse_model
from crmlab.simulate.sem import simulate_survey

MODE_B_ECSI = ECSI_MODEL.replace("=~", "<~")
MIXED = ECSI_MODEL.replace("IMAG =~", "IMAG <~").replace("VAL  =~", "VAL  <~")

# ADANCO 2.2.1, composite model (all Mode B), centroid scheme, satisfaction data
ADANCO_WEIGHTS = {
    'imag1': -0.0323851122, 'imag2': 0.2271819999, 'imag3': 0.4812909776, 'imag4': 0.0376557189,
    'imag5': 0.4783587898, 'expe1': 0.0839505938, 'expe2': 0.4278487061, 'expe3': 0.1684269521,
    'expe4': 0.3279377968, 'expe5': 0.2365869141, 'qual1': 0.2095785754, 'qual2': 0.3723765914,
    'qual3': 0.1700677906, 'qual4': 0.2202334246, 'qual5': 0.2416015396, 'val1': 0.528726824,
    'val2': 0.1339668204, 'val3': 0.1271984038, 'val4': 0.3882310486, 'sat1': 0.4012295237,
    'sat2': 0.4805689341, 'sat3': 0.031266093, 'sat4': 0.1859018111, 'loy1': 0.5435073098,
    'loy2': 0.0719332377, 'loy3': 0.5244133429, 'loy4': -0.0650220986}
ADANCO_LOADINGS = {
    'imag1': 0.5597504634, 'imag2': 0.8364674768, 'imag3': 0.8770053534, 'imag4': 0.4703972106,
    'imag5': 0.8117114739, 'expe1': 0.7105115954, 'expe2': 0.874774935, 'expe3': 0.6997265563,
    'expe4': 0.7882127304, 'expe5': 0.8020022953, 'qual1': 0.7767959891, 'qual2': 0.8999650461,
    'qual3': 0.7409923602, 'qual4': 0.817065502, 'qual5': 0.8117093133, 'val1': 0.9191354871,
    'val2': 0.7418359213, 'val3': 0.6503858195, 'val4': 0.8549521649, 'sat1': 0.9399339218,
    'sat2': 0.9483894415, 'sat3': 0.7431782243, 'sat4': 0.7738922877, 'loy1': 0.9282624967,
    'loy2': 0.5781566587, 'loy3': 0.9282799598, 'loy4': 0.5061130031}
ADANCO_PATHS = {
    'EXPE~IMAG': 0.6099600314, 'SAT~IMAG': 0.1947036513, 'LOY~IMAG': 0.2405393439,
    'QUAL~EXPE': 0.8501947047, 'VAL~EXPE': 0.1630539403, 'SAT~EXPE': -0.0035417718,
    'VAL~QUAL': 0.640471113, 'SAT~QUAL': 0.1164996164, 'SAT~VAL': 0.6098808303, 'LOY~SAT': 0.5437292453}
ADANCO_R2 = {'EXPE': 0.3720512399, 'QUAL': 0.722831036, 'VAL': 0.6143637763, 'SAT': 0.7321791734,
             'LOY': 0.5399705422}
ADANCO_VIF = {
    'imag1': 1.8956422505, 'imag2': 3.2181372334, 'imag3': 2.662471915, 'imag4': 1.4379132804,
    'imag5': 1.3586442142, 'expe1': 1.8310907808, 'expe2': 1.9611478406, 'expe3': 1.5829609988,
    'expe4': 1.7015116478, 'expe5': 1.9420015229, 'qual1': 1.8401288589, 'qual2': 2.5005256973,
    'qual3': 1.7796143608, 'qual4': 2.155704742, 'qual5': 2.0205644705, 'val1': 2.1750906313,
    'val2': 2.2049804029, 'val3': 1.8028428329, 'val4': 1.8553093335, 'sat1': 3.5127643504,
    'sat2': 3.5693483733, 'sat3': 2.160567735, 'sat4': 1.9660989936, 'loy1': 2.4151690464,
    'loy2': 1.4828966036, 'loy3': 2.3314346708, 'loy4': 1.5000199318}


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


def test_composite_operator_parses_to_mode_b_and_round_trips():
    spec = parse_model(MIXED)
    assert spec.mode("IMAG") == "B" and spec.mode("VAL") == "B" and spec.mode("SAT") == "A"
    assert spec.mode_b().tolist() == [True, False, False, True, False, False]
    again = parse_model(spec.to_lavaan())
    assert again.modes == spec.modes and again.constructs == spec.constructs


def test_mode_b_matches_adanco_2_2_1_on_satisfaction(ecsi):
    m = PLSPM(MODE_B_ECSI, scheme="centroid").fit(ecsi)
    items = list(ADANCO_WEIGHTS)
    np.testing.assert_allclose(m.weights_[items], list(ADANCO_WEIGHTS.values()), atol=1e-6)
    np.testing.assert_allclose(m.loadings_[items], list(ADANCO_LOADINGS.values()), atol=1e-6)
    np.testing.assert_allclose(m.paths_[list(ADANCO_PATHS)], list(ADANCO_PATHS.values()), atol=1e-6)
    np.testing.assert_allclose(m.r2_[list(ADANCO_R2)], list(ADANCO_R2.values()), atol=1e-6)
    np.testing.assert_allclose(m.weight_vif_[items], list(ADANCO_VIF.values()), rtol=1e-6)
    assert (m.outer_["mode"] == "B").all() and (m.modes_ == "B").all()
    assert m.rho_a_.isna().all()  # rho_A is not defined for composites


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_mode_b_weights_equal_ols_of_inner_proxy_on_items(ecsi, scheme):
    """Exact identity at convergence: w_j ∝ (X_j'X_j)^{-1} X_j'Z_j, scaled to a unit-variance score."""
    m = PLSPM(MIXED, scheme=scheme).fit(ecsi)
    Y, names = m.scores_, m.spec_.names
    R = np.corrcoef(Y.to_numpy(), rowvar=False)
    for j, c in enumerate(names):
        if m.spec_.mode(c) != "B":
            continue
        preds, succ = m.spec_.predecessors(c), [t for s, t in m.spec_.paths if s == c]
        z = np.zeros(len(Y))
        for k in preds + succ:
            rjk = R[j, names.index(k)]
            if scheme == "centroid":
                e = np.sign(rjk)
            elif scheme == "factorial" or k in succ:
                e = rjk
            else:  # path scheme: multiple-regression weight of predecessor k in c ~ preds
                beta = np.linalg.lstsq(Y[preds].to_numpy(), Y[c].to_numpy(), rcond=None)[0]
                e = beta[preds.index(k)]
            z += e * Y[k].to_numpy()
        X = ecsi[list(m.spec_.constructs[c])].to_numpy(float)
        Xs = (X - X.mean(axis=0)) / X.std(axis=0)
        b = np.linalg.lstsq(Xs, z - z.mean(), rcond=None)[0]
        b /= (Xs @ b).std()
        np.testing.assert_allclose(m.weights_[list(m.spec_.constructs[c])], b, atol=1e-8)


def test_mode_b_matches_python_plspm_package(ecsi):
    """plspm 0.5.7 (test-only reference), path scheme, mixed Mode A / Mode B blocks, unscaled."""
    config_mod = pytest.importorskip("plspm.config")
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    m = PLSPM(MIXED, scheme="path", scaled=False).fit(ecsi)
    lvs = m.spec_.names
    pm = pd.DataFrame(m.spec_.adjacency().T.astype(int), index=lvs, columns=lvs)
    config = config_mod.Config(pm, scaled=False)
    for lv in lvs:
        config.add_lv(lv, Mode.B if m.spec_.mode(lv) == "B" else Mode.A,
                      *[config_mod.MV(it) for it in m.spec_.constructs[lv]])
    res = Plspm(ecsi[m.spec_.items], config, Scheme.PATH)
    ref = res.path_coefficients()
    for key, val in m.paths_.items():
        tgt, src = key.split("~")
        assert val == pytest.approx(ref.loc[tgt, src], abs=1e-5)
    ref_w = res.outer_model()["weight"]
    np.testing.assert_allclose(m.weights_[ref_w.index], ref_w, atol=1e-5)


def test_batched_bootstrap_of_mode_b_weights_equals_refitting_each_resample(ecsi):
    m = PLSPM(MIXED, scheme="path").fit(ecsi)
    boot = m.bootstrap(12, seed=5, chunk=12)
    n = len(ecsi)
    idx = np.random.default_rng(5).integers(0, n, size=(12, n))
    fits = [PLSPM(MIXED, scheme="path").fit(ecsi.iloc[i].reset_index(drop=True)) for i in idx]
    w = np.array([f.weights_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.weights["se"], w.std(axis=0, ddof=1), atol=1e-8)
    np.testing.assert_allclose(boot.weights["ci_high"], np.quantile(w, 0.975, axis=0), atol=1e-8)
    paths = np.array([f.paths_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.paths["mean"], paths.mean(axis=0), atol=1e-8)


def _with_global(ecsi, seed=11):
    rng = np.random.default_rng(seed)
    df = ecsi.copy()
    imag = df[[f"imag{i}" for i in range(1, 6)]].to_numpy(float)
    df["imag_global"] = imag @ [0.1, 0.4, 0.3, 0.0, 0.4] + rng.normal(0, 1.2, len(df))
    df.loc[[3, 17], "imag_global"] = np.nan  # two respondents skipped the global question
    return df


@pytest.mark.parametrize("weighted", [False, True])
def test_redundancy_path_equals_multiple_correlation_of_global_item(ecsi, weighted):
    """Mode B redundancy model: path = R of the (W)LS regression of the global item on the block's items."""
    sm = pytest.importorskip("statsmodels.api")
    df = _with_global(ecsi)
    w = np.random.default_rng(2).uniform(0.5, 2.0, len(df)) if weighted else None
    m = PLSPM(MIXED, redundancy={"IMAG": "imag_global", "VAL": "imag_global"}).fit(df, weights=w)
    red = m.redundancy_.set_index("construct")
    keep = df["imag_global"].notna().to_numpy()
    for c in ("IMAG", "VAL"):
        X = sm.add_constant(df.loc[keep, list(m.spec_.constructs[c])].to_numpy(float))
        fit = sm.WLS(df.loc[keep, "imag_global"].to_numpy(), X, weights=w[keep] if weighted else 1.0).fit()
        assert red.loc[c, "path"] == pytest.approx(np.sqrt(fit.rsquared), abs=1e-9)
        assert red.loc[c, "n"] == keep.sum()
        assert red.loc[c, "meets"] == (red.loc[c, "path"] >= 0.70)
    assert red["threshold"].eq(0.70).all()


def test_redundancy_errors_name_the_problem(ecsi):
    df = _with_global(ecsi)
    with pytest.raises(DataError, match="'nope'"):
        PLSPM(MIXED, redundancy={"IMAG": "nope"}).fit(df)
    with pytest.raises(ParameterError, match="not a construct"):
        PLSPM(MIXED, redundancy={"IMAGE": "imag_global"}).fit(df)
    with pytest.raises(ParameterError, match="is one of the items"):
        PLSPM(MIXED, redundancy={"IMAG": "imag1"}).fit(df)


FORMATIVE = """
F  <~ f1 + f2 + f3 + f4
R1 =~ r1 + r2 + r3
R2 =~ s1 + s2 + s3
R1 ~ F
R2 ~ F + R1
"""
F_PATHS = {"R1~F": 0.6, "R2~F": 0.3, "R2~R1": 0.4}


def test_simulated_formative_weights_are_recovered_by_mode_b_not_mode_a():
    data, truth = simulate_survey(FORMATIVE, F_PATHS, n=2000, within_corr={"F": 0.3},
                                  item_weights={"F": [0.6, 0.35, 0.15, -0.25]}, seed=21)
    m = PLSPM(FORMATIVE).fit(data)
    boot = m.bootstrap(300, seed=2)
    items = ["f1", "f2", "f3", "f4"]
    true_w = pd.Series(truth["weights"])[items]
    z = (m.weights_[items] - true_w) / boot.weights.loc[items, "se"]
    assert (z.abs() < 3).all(), z  # 4 weights: Bonferroni-style bound
    zp = (m.paths_ - pd.Series(truth["paths"])[m.paths_.index]) / boot.paths["se"]
    assert (zp.abs() < 2.5).all(), zp
    # the same block estimated in Mode A gets weights proportional to loadings, not the true weights
    a = PLSPM(FORMATIVE.replace("F  <~", "F  =~")).fit(data)
    assert a.weights_["f4"] > 0 > true_w["f4"]


def test_composite_generator_with_item_weights_reproduces_the_construct_exactly():
    data, truth = simulate_survey(FORMATIVE, F_PATHS, n=30_000, within_corr={"F": 0.3},
                                  item_weights={"F": [0.6, 0.35, 0.15, -0.25]}, seed=3)
    items = ["f1", "f2", "f3", "f4"]
    w = pd.Series(truth["weights"])[items].to_numpy()
    z = (data[items] - 7.0) / 1.8
    np.testing.assert_allclose(z.to_numpy() @ w, truth["latent"]["F"], atol=1e-10)
    assert np.allclose(np.diff(w / [0.6, 0.35, 0.15, -0.25]), 0)  # proportional to the requested weights
    assert data[["f1", "f2"]].corr().iloc[0, 1] == pytest.approx(0.3, abs=0.02)
    with pytest.raises(ParameterError, match="item_weights"):
        simulate_survey(FORMATIVE, F_PATHS, n=10, item_weights={"F": [1, 2]})
