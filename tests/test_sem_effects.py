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

