"""Higher-order constructs: repeated indicators, embedded and disjoint two-stage approaches.

References
----------
* seminr (sem-in-r/seminr, package version 2.3.1 at the mirrored commit): fixtures
  ``tests/fixtures/V_3_6_0/hoc-{paths,weights,loadings}.csv`` written by
  ``tests/testthat/test-hoc.R`` -- ``higher_composite("Satisfaction", dimensions =
  c("Image", "Value"), method = two_stage, weights = mode_A)`` on the ``mobi`` data with
  the default path weighting.  seminr's ``two_stage`` replaces the HOC by its dimensions
  in stage 1 (``substitute_dimensions_for_HOC``), i.e. the *disjoint* two-stage approach.
  ``mobi`` is copied from seminr's ``data/mobi.rda`` into tests/fixtures/mobi.csv.
* Exact recomputations: repeated indicators = a first-order model on data with the LOC
  items duplicated; embedded two-stage = that model's LOC scores used as the HOC's items
  in a second first-order fit; batched bootstrap = one-at-a-time refits.
"""
import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import ParameterError
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import parse_model
from tests.conftest import FIXTURES

SEMINR_MODEL = """
Image        =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
Expectation  =~ CUEX1 + CUEX2 + CUEX3
Quality      =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7
Value        =~ PERV1 + PERV2
Satisfaction =~ Image + Value
Complaints   =~ CUSCO
Loyalty      =~ CUSL1 + CUSL2 + CUSL3
Satisfaction ~ Expectation + Quality
Complaints   ~ Satisfaction
Loyalty      ~ Satisfaction
"""
SEMINR_PATHS = {"Satisfaction~Expectation": 0.103641382040823, "Satisfaction~Quality": 0.720064333276669,
                "Complaints~Satisfaction": 0.486257317953653, "Loyalty~Satisfaction": 0.627602841720655}
SEMINR_WEIGHTS = {
    "CUEX1": 0.513693599817747, "CUEX2": 0.483379888695199, "CUEX3": 0.44400858667237,
    "PERQ1": 0.206255526908378, "PERQ2": 0.136718051602492, "PERQ3": 0.206249504035771,
    "PERQ4": 0.165905938394018, "PERQ5": 0.200241161441794, "PERQ6": 0.182982047570941,
    "PERQ7": 0.211195190919576, "Image": 0.631840584153024, "Value": 0.51711253914618, "CUSCO": 1.0,
    "CUSL1": 0.500718154583124, "CUSL2": 0.138986918729658, "CUSL3": 0.611837446325764,
    "IMAG1": 0.311498902514752, "IMAG2": 0.241024263165947, "IMAG3": 0.210053553126402,
    "IMAG4": 0.340428414848061, "IMAG5": 0.323018225340666, "PERV1": 0.48312761351309,
    "PERV2": 0.600359415862924}
SEMINR_LOADINGS = {
    "CUEX1": 0.766092953855344, "CUEX2": 0.69833215201179, "CUEX3": 0.605626203859253,
    "PERQ1": 0.79933245187025, "PERQ2": 0.630872551924888, "PERQ3": 0.788073093423415,
    "PERQ4": 0.764094599830807, "PERQ5": 0.765622604537787, "PERQ6": 0.774009371414647,
    "PERQ7": 0.779540015520676, "Image": 0.895650876207813, "Value": 0.839452525936479, "CUSCO": 1.0,
    "CUSL1": 0.838608004311155, "CUSL2": 0.224294512163711, "CUSL3": 0.897165983915295,
    "IMAG1": 0.750650331276109, "IMAG2": 0.586532645650389, "IMAG3": 0.573102651991915,
    "IMAG4": 0.775695288399379, "IMAG5": 0.744087058397516, "PERV1": 0.903468191743018,
    "PERV2": 0.938620355988339}

FIRST = """
IMAG =~ imag1 + imag2 + imag3 + imag4 + imag5
EXPE =~ expe1 + expe2 + expe3 + expe4 + expe5
QUAL =~ qual1 + qual2 + qual3 + qual4 + qual5
VAL  =~ val1 + val2 + val3 + val4
SAT  =~ sat1 + sat2 + sat3 + sat4
LOY  =~ loy1 + loy2 + loy3 + loy4
"""
STRUCT = """
PERF ~ EXPE
SAT  ~ IMAG + EXPE + PERF
LOY  ~ IMAG + SAT
"""
HOC_MODEL = FIRST + "PERF =~ QUAL + VAL\n" + STRUCT
LOC_ITEMS = ["qual1", "qual2", "qual3", "qual4", "qual5", "val1", "val2", "val3", "val4"]


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


def test_disjoint_two_stage_matches_seminr_on_mobi():
    mobi = pd.read_csv(FIXTURES / "mobi.csv")
    m = PLSPM(SEMINR_MODEL, hoc="disjoint").fit(mobi)
    np.testing.assert_allclose(m.paths_[list(SEMINR_PATHS)], list(SEMINR_PATHS.values()), atol=1e-6)
    np.testing.assert_allclose(m.weights_[list(SEMINR_WEIGHTS)], list(SEMINR_WEIGHTS.values()), atol=1e-6)
    np.testing.assert_allclose(m.loadings_[list(SEMINR_LOADINGS)], list(SEMINR_LOADINGS.values()), atol=1e-6)
    # the LOCs' measurement model comes from stage 1, the HOC's from stage 2
    out = m.outer_.set_index("item")
    assert out.loc["IMAG1", "construct"] == "Image" and out.loc["Image", "construct"] == "Satisfaction"
    assert m.stage1_.spec_.names == ["Expectation", "Quality", "Image", "Value", "Complaints", "Loyalty"]


def _duplicated(ecsi):
    df = ecsi.copy()
    for it in LOC_ITEMS:
        df[f"{it}_p"] = df[it]
    rep = (FIRST + "PERF =~ " + " + ".join(f"{it}_p" for it in LOC_ITEMS) + "\nQUAL ~ PERF\nVAL ~ PERF\n" + STRUCT)
    return df, rep


def test_repeated_indicators_equal_first_order_model_on_duplicated_items(ecsi):
    df, rep = _duplicated(ecsi)
    a = PLSPM(HOC_MODEL, hoc="repeated").fit(ecsi)
    b = PLSPM(rep).fit(df)
    np.testing.assert_allclose(a.paths_, b.paths_[a.paths_.index], atol=1e-10)
    assert {"QUAL~PERF", "VAL~PERF"} <= set(a.paths_.index)
    ren = {f"{it}@PERF": f"{it}_p" for it in LOC_ITEMS}
    np.testing.assert_allclose(a.weights_, b.weights_[[ren.get(k, k) for k in a.weights_.index]], atol=1e-10)
    assert a.stage1_ is None


@pytest.mark.parametrize("op", ["=~", "<~"])
def test_embedded_two_stage_equals_stage1_scores_refitted_as_items(ecsi, op):
    model = HOC_MODEL.replace("PERF =~", f"PERF {op}")
    m = PLSPM(model, hoc="embedded").fit(ecsi)
    df, rep = _duplicated(ecsi)
    if op == "<~":  # formative HOC: LOC -> HOC paths and Mode B in the repeated-indicators stage
        rep = rep.replace("PERF =~", "PERF <~").replace("QUAL ~ PERF\nVAL ~ PERF", "PERF ~ QUAL + VAL")
    s1 = PLSPM(rep).fit(df)
    np.testing.assert_allclose(m.stage1_.paths_, s1.paths_[m.stage1_.paths_.index], atol=1e-10)
    df2 = ecsi.copy()
    df2["QUAL"] = s1.scores_["QUAL"]
    df2["VAL"] = s1.scores_["VAL"]
    stage2 = FIRST.replace("QUAL =~ qual1 + qual2 + qual3 + qual4 + qual5\n", "").replace(
        "VAL  =~ val1 + val2 + val3 + val4\n", "") + f"PERF {op} QUAL + VAL\n" + STRUCT
    s2 = PLSPM(stage2).fit(df2)
    np.testing.assert_allclose(m.paths_, s2.paths_[m.paths_.index], atol=1e-9)
    np.testing.assert_allclose(m.weights_[["QUAL", "VAL"]], s2.weights_[["QUAL", "VAL"]], atol=1e-9)
    np.testing.assert_allclose(m.weights_[LOC_ITEMS], s1.weights_[LOC_ITEMS], atol=1e-10)
    np.testing.assert_allclose(m.scores_, s2.scores_[m.scores_.columns], atol=1e-9)
    assert {"QUAL", "VAL"} <= set(m.data_.items.columns) and "qual1" not in m.data_.items.columns
    np.testing.assert_allclose(m.data_.items["QUAL"], s1.scores_["QUAL"], atol=1e-10)


def test_embedded_hoc_batched_bootstrap_equals_refitting_each_resample(ecsi):
    m = PLSPM(HOC_MODEL, method="pls").fit(ecsi)
    boot = m.bootstrap(12, seed=4, chunk=12)
    n = len(ecsi)
    idx = np.random.default_rng(4).integers(0, n, size=(12, n))
    fits = [PLSPM(HOC_MODEL).fit(ecsi.iloc[i].reset_index(drop=True)) for i in idx]
    paths = np.array([f.paths_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.paths["se"], paths.std(axis=0, ddof=1), atol=1e-8)
    w = np.array([f.weights_.to_numpy() for f in fits])
    np.testing.assert_allclose(boot.weights["mean"], w.mean(axis=0), atol=1e-8)
    assert list(boot.weights.index) == list(m.weights_.index)


def test_plsc_with_a_higher_order_construct_runs_and_reports_loc_reliability(ecsi):
    m = PLSPM(HOC_MODEL, method="plsc").fit(ecsi)
    assert {"QUAL", "VAL", "PERF"} <= set(m.rho_a_.index)
    s1 = PLSPM(_duplicated(ecsi)[1], method="plsc").fit(_duplicated(ecsi)[0])
    assert m.rho_a_["QUAL"] == pytest.approx(s1.rho_a_["QUAL"], abs=1e-10)


@pytest.mark.parametrize("text, message", [
    ("A =~ a1 + a2\nB =~ b1 + b2\nH =~ A + b3\nC =~ c1\nC ~ H", "mixes constructs"),
    ("A =~ a1 + a2\nH =~ A\nC =~ c1\nC ~ H", "at least two lower-order"),
    ("A =~ a1\nB =~ b1\nH =~ A + B\nG =~ H + A\nC =~ c1\nC ~ G", "itself higher-order|both"),
    ("A =~ a1\nB =~ b1\nH =~ A + B\nC =~ c1\nC ~ H + A", "lower-order construct 'A'"),
])
def test_higher_order_syntax_errors(text, message):
    with pytest.raises(ParameterError, match=message):
        parse_model(text)


def test_higher_order_spec_views_and_bad_approach(ecsi):
    spec = parse_model(HOC_MODEL)
    assert spec.higher_order == {"PERF": ("QUAL", "VAL")}
    assert spec.lower_order == {"QUAL": "PERF", "VAL": "PERF"}
    assert "QUAL" not in spec.items and "qual1" in spec.items
    with pytest.raises(ParameterError, match="higher-order"):
        spec.block_matrix()
    with pytest.raises(ParameterError, match="hoc="):
        PLSPM(HOC_MODEL, hoc="two-stage").fit(ecsi)
