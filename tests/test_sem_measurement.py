"""Reliability and validity against R plspm's unidimensionality table, semopy and exact recomputation."""
import json

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError
from crmlab.sem.measurement import (
    assess_measurement,
    average_variance_extracted,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    htmt,
    mcdonald_omega,
    one_factor_loadings,
)
from crmlab.sem.pls import PLSPM
from crmlab.core.modeltext import ECSI_MODEL, parse_model
from tests.conftest import FIXTURES

REF = json.loads((FIXTURES / "plspm_satisfaction_reference.json").read_text())
SPEC = parse_model(ECSI_MODEL)


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


@pytest.mark.parametrize("construct", SPEC.names)
def test_standardized_alpha_and_dillon_goldstein_rho_match_r_plspm_unidim(ecsi, construct):
    X = ecsi[list(SPEC.constructs[construct])].to_numpy(float)
    ref = REF["unidimensionality"][construct]
    assert cronbach_alpha(X, construct, standardized=True) == pytest.approx(ref["cronbach_alpha"], abs=1e-6)
    # R plspm's DG rho uses the loadings on the block's first principal component
    Z = (X - X.mean(0)) / X.std(0)
    ev, vec = np.linalg.eigh(np.corrcoef(X, rowvar=False))
    pc = Z @ vec[:, -1]
    lam = np.array([np.corrcoef(Z[:, i], pc)[0, 1] for i in range(X.shape[1])])
    lam *= np.sign(lam.sum())
    assert composite_reliability(lam) == pytest.approx(ref["dillon_goldstein_rho"], abs=1e-6)
    assert ev[-1] == pytest.approx(ref["eig_1st"], abs=1e-6)


def test_raw_alpha_equals_covariance_formula(ecsi):
    X = ecsi[["sat1", "sat2", "sat3", "sat4"]].to_numpy(float)
    C = np.cov(X, rowvar=False)
    k = 4
    cbar = (C.sum() - np.trace(C)) / (k * (k - 1))
    vbar = np.trace(C) / k
    assert cronbach_alpha(X) == pytest.approx(k * cbar / (vbar + (k - 1) * cbar), abs=1e-12)


def test_ave_matches_r_plspm_block_communality(ecsi):
    m = PLSPM(ECSI_MODEL, scheme="centroid", scaled=False).fit(ecsi)
    for c, its in SPEC.constructs.items():
        assert average_variance_extracted(m.loadings_[list(its)]) == pytest.approx(
            REF["inner_summary_centroid"][c]["ave"], abs=1e-4)


@pytest.mark.parametrize("construct", ["IMAG", "SAT"])
def test_omega_matches_semopy_one_factor_cfa(ecsi, construct):
    semopy = pytest.importorskip("semopy")
    its = list(SPEC.constructs[construct])
    z = (ecsi[its] - ecsi[its].mean()) / ecsi[its].std(ddof=0)
    model = semopy.Model(f"F =~ {' + '.join(its)}")
    model.fit(z, obj="MLW")
    est = model.inspect(std_est=True)
    lam = est[(est["op"] == "~") & (est["rval"] == "F")].set_index("lval").loc[its, "Est. Std"].astype(float)
    assert mcdonald_omega(ecsi[its], construct) == pytest.approx(composite_reliability(lam), abs=2e-3)
    np.testing.assert_allclose(one_factor_loadings(ecsi[its], construct), lam, atol=5e-3)


def test_htmt_equals_definition_by_loops(ecsi):
    R = ecsi[SPEC.items].corr()
    got = htmt(ecsi, SPEC.constructs)
    a, b = SPEC.constructs["EXPE"], SPEC.constructs["QUAL"]
    het = np.mean([R.loc[i, j] for i in a for j in b])
    mono_a = np.mean([R.loc[i, j] for i in a for j in a if i < j])
    mono_b = np.mean([R.loc[i, j] for i in b for j in b if i < j])
    assert got.loc["EXPE", "QUAL"] == pytest.approx(het / np.sqrt(mono_a * mono_b), abs=1e-12)
    np.testing.assert_allclose(got.to_numpy(), got.to_numpy().T, equal_nan=True)


def test_fornell_larcker_diagonal_is_sqrt_ave():
    corr = pd.DataFrame([[1, 0.8], [0.8, 1]], index=["A", "B"], columns=["A", "B"])
    fl = fornell_larcker(pd.Series({"A": 0.49, "B": 0.64}), corr)
    assert fl.loc["A", "A"] == pytest.approx(0.7) and fl.loc["B", "B"] == pytest.approx(0.8)
    assert fl.loc["A", "B"] == 0.8


def test_assess_measurement_flags_expe_qual(ecsi):
    meas = assess_measurement(PLSPM(ECSI_MODEL).fit(ecsi))
    assert list(meas.table.columns) == ["items", "alpha", "omega", "rho_c", "ave"]
    flagged = meas.problems().set_index(["check", "construct", "other"])
    assert flagged.loc[("htmt_liberal", "EXPE", "QUAL"), "value"] == pytest.approx(meas.htmt.loc["EXPE", "QUAL"])
    assert flagged.loc[("htmt_liberal", "EXPE", "QUAL"), "threshold"] == 0.90
    assert set(meas.to_dict()["SAT"]) == {"alpha", "omega", "rho_c", "ave"}
    assert "EXPE|QUAL" in meas.htmt_pairs()


def test_single_and_two_item_constructs_are_explained(ecsi):
    model = "IMAG =~ imag1\nSAT =~ sat1 + sat2\nLOY =~ loy1 + loy2 + loy3\nSAT ~ IMAG\nLOY ~ SAT"
    meas = assess_measurement(PLSPM(model).fit(ecsi))
    assert np.isnan(meas.table.loc["IMAG", "alpha"]) and np.isnan(meas.table.loc["SAT", "omega"])
    flagged = meas.problems()
    assert flagged.loc[flagged["check"].isin(["single_item", "two_items"]), ["check", "construct"]].values.tolist() \
        == [["single_item", "IMAG"], ["two_items", "SAT"]]
    with pytest.raises(DataError, match="construct 'IMAG' has 1 item"):
        cronbach_alpha(ecsi[["imag1"]], "IMAG")
    with pytest.raises(DataError, match="construct 'SAT' has 2 item"):
        mcdonald_omega(ecsi[["sat1", "sat2"]], "SAT")


def test_problems_from_known_numbers():
    """Each rule of thumb recomputed by hand on a small table (thresholds: HTMT 0.85/0.90, AVE 0.50, alpha 0.70)."""
    from crmlab.sem.measurement import MeasurementResult

    names = ["EXPE", "QUAL", "SAT"]
    table = pd.DataFrame({"items": [5, 2, 1], "alpha": [0.65, 0.8, np.nan], "omega": [0.7, np.nan, np.nan],
                          "rho_c": [0.8, 0.85, np.nan], "ave": [0.45, 0.6, np.nan]},
                         index=pd.Index(names, name="construct"))
    ht = pd.DataFrame([[np.nan, 0.98, 0.5], [0.98, np.nan, 0.87], [0.5, 0.87, np.nan]], index=names, columns=names)
    fl = pd.DataFrame([[0.67, 0.85, 0.3], [0.85, 0.77, 0.4], [0.3, 0.4, 1.0]], index=names, columns=names)
    ci = pd.DataFrame({"ci_low": [0.93], "ci_high": [1.019]}, index=["EXPE|QUAL"])
    meas = MeasurementResult(table=table, loadings=pd.DataFrame(), htmt=ht, fornell_larcker=fl, htmt_ci=ci)
    got = meas.problems()
    assert list(got.columns) == ["check", "construct", "other", "value", "threshold"]
    assert got[["check", "construct", "other"]].fillna("-").values.tolist() == [
        ["two_items", "QUAL", "-"], ["single_item", "SAT", "-"], ["htmt_liberal", "EXPE", "QUAL"],
        ["htmt_strict", "QUAL", "SAT"], ["htmt_interval", "EXPE", "QUAL"], ["fornell_larcker", "EXPE", "QUAL"],
        ["ave", "EXPE", "-"], ["alpha", "EXPE", "-"]]
    np.testing.assert_allclose(got["value"], [2, 1, 0.98, 0.87, 1.019, 0.85, 0.45, 0.65])
    np.testing.assert_allclose(got["threshold"], [3, 2, 0.90, 0.85, 1, 0.67, 0.5, 0.7])
    proper = MeasurementResult(table=table.iloc[:0], loadings=pd.DataFrame(), htmt=ht.iloc[:0, :0],
                               fornell_larcker=fl.iloc[:0, :0])
    assert proper.problems().empty
