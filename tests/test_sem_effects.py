"""Mediation and multi-group comparison."""
import json

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from crmlab.sem.effects import mediation, multigroup
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL
from crmlab.simulate.sem import simulate_survey
from tests.conftest import FIXTURES

REF = json.loads((FIXTURES / "plspm_satisfaction_reference.json").read_text())


@pytest.fixture(scope="module")
def fitted():
    m = PLSPM(ECSI_MODEL, scheme="centroid", scaled=False).fit(datasets.load_ecsi())
    m.bootstrap(300, seed=3)
    return m


def test_specific_indirect_effects_sum_to_r_plspm_indirect_effects(fitted):
    med = mediation(fitted)
    sums = med.groupby(["source", "target"])["estimate"].sum()
    for row in REF["effects_centroid"]:
        key = (row["source"], row["target"])
        got = sums.get(key, 0.0)
        assert got == pytest.approx(row["indirect"], abs=1e-4), key


def test_mediation_draws_are_products_of_bootstrap_paths(fitted):
    med = mediation(fitted).set_index("chain")
    B = fitted.bootstrap_.draws["B"]
    names = fitted.spec_.names
    q, s, l_ = names.index("QUAL"), names.index("SAT"), names.index("LOY")
    draws = B[:, q, s] * B[:, s, l_]
    row = med.loc["QUAL->SAT->LOY"]
    assert row["estimate"] == pytest.approx(fitted.paths_["SAT~QUAL"] * fitted.paths_["LOY~SAT"])
    assert row["ci_low"] == pytest.approx(np.quantile(draws, 0.025))
    assert row["se"] == pytest.approx(draws.std(ddof=1))


def test_mediation_needs_bootstrap():
    m = PLSPM(ECSI_MODEL).fit(datasets.load_ecsi())
    with pytest.raises(ParameterError, match="bootstrap"):
        mediation(m)


def test_group_estimates_equal_separate_fits():
    df = datasets.load_ecsi()
    res = multigroup(df, ECSI_MODEL, "gender", n_permutations=50, seed=1)
    for g in ("female", "male"):
        sep = PLSPM(ECSI_MODEL).fit(df[df["gender"] == g].reset_index(drop=True)).paths_
        got = res.paths[res.paths["group"] == g].set_index("path")["estimate"]
        np.testing.assert_allclose(got[sep.index], sep, atol=1e-8)


def test_permutation_test_detects_a_planted_group_difference():
    model = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ A + B"
    d1, _ = simulate_survey(model, {"B~A": 0.5, "C~A": 0.2, "C~B": 0.1}, n=300, seed=5)
    d2, _ = simulate_survey(model, {"B~A": 0.5, "C~A": 0.2, "C~B": 0.6}, n=300, seed=6)
    data = pd.concat([d1.assign(g="one"), d2.assign(g="two")], ignore_index=True)
    res = multigroup(data, model, "g", n_permutations=400, seed=2).tests.set_index("path")
    assert res.loc["C~B", "p_value"] < 0.01
    assert res.loc["B~A", "p_value"] > 0.05
    assert res.loc["C~B", "difference"] == pytest.approx(0.1 - 0.6, abs=0.15)


def test_multigroup_bad_group_column():
    df = datasets.load_ecsi()
    with pytest.raises(DataError, match="'segment' is missing"):
        multigroup(df, ECSI_MODEL, "segment")
    with pytest.raises(DataError, match="at least two levels"):
        multigroup(df.assign(one="x"), ECSI_MODEL, "one")



MIXED = ECSI_MODEL.replace("IMAG =~", "IMAG <~").replace("VAL  =~", "VAL  <~")
HOC = ECSI_MODEL.replace("VAL  ~ EXPE + QUAL\n", "").replace("SAT  ~ IMAG + EXPE + QUAL + VAL", "SAT ~ IMAG + PERF") \
    .replace("QUAL ~ EXPE", "PERF ~ EXPE") + "PERF =~ QUAL + VAL\n"


@pytest.mark.parametrize("model, method", [(MIXED, "pls"), (HOC, "pls"), (ECSI_MODEL, "plsc")])
def test_group_estimates_equal_separate_fits_for_mode_b_higher_order_and_plsc(model, method):
    """Identity: each group's paths are those of PLSPM fitted on that group alone (Mode B blocks by
    regression, two-stage higher-order constructs, PLSc), and a group whose PLSc solution is
    inadmissible is named."""
    df = datasets.load_ecsi()
    res = multigroup(df, model, "gender", n_permutations=20, seed=1, method=method)
    inadmissible = []
    for g in ("female", "male"):
        sep = PLSPM(model, method=method).fit(df[df["gender"] == g].reset_index(drop=True))
        got = res.paths[res.paths["group"] == g].set_index("path")["estimate"]
        np.testing.assert_allclose(got[sep.paths_.index], sep.paths_, atol=1e-8)
        if not sep.admissible_:
            inadmissible.append(g)
    assert res.inadmissible == inadmissible
    if method == "plsc":   # PLSc is inadmissible for the 102 men of ECSI: dropped permutations are counted
        assert inadmissible == ["male"] and res.n_failed > 0


def test_mode_b_groups_are_not_estimated_as_mode_a():
    df = datasets.load_ecsi()
    a = multigroup(df, ECSI_MODEL, "gender", n_permutations=10, seed=1).paths
    b = multigroup(df, MIXED, "gender", n_permutations=10, seed=1).paths
    assert np.abs(a["estimate"] - b["estimate"]).max() > 0.01


def test_weighted_groups_equal_weighted_fits_and_repeated_rows():
    """Identities: integer weights give the group paths of the data with rows repeated (and of the
    weighted PLSPM on each group); a constant weight changes nothing, permutation p-values included."""
    df = datasets.load_ecsi()
    w = np.random.default_rng(4).integers(1, 4, len(df))
    res = multigroup(df, ECSI_MODEL, "gender", n_permutations=30, seed=2, weights=w)
    rep = df.loc[np.repeat(df.index, w)].reset_index(drop=True)
    plain = multigroup(rep, ECSI_MODEL, "gender", n_permutations=30, seed=2)
    np.testing.assert_allclose(res.paths["estimate"], plain.paths["estimate"], atol=1e-9)
    assert res.weighted and not plain.weighted
    for g in ("female", "male"):
        m = (df["gender"] == g).to_numpy()
        sep = PLSPM(ECSI_MODEL).fit(df[m].reset_index(drop=True), weights=w[m]).paths_
        got = res.paths[res.paths["group"] == g].set_index("path")["estimate"]
        np.testing.assert_allclose(got[sep.index], sep, atol=1e-8)
    const = multigroup(df.assign(wt=2.5), ECSI_MODEL, "gender", n_permutations=30, seed=2, weights="wt")
    unw = multigroup(df, ECSI_MODEL, "gender", n_permutations=30, seed=2)
    np.testing.assert_allclose(const.tests[["difference", "p_value"]], unw.tests[["difference", "p_value"]],
                               atol=1e-9)
