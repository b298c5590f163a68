"""CB-SEM via semopy: fit indices recomputed from their textbook formulas, admissibility checks."""
import numpy as np
import pytest

from crmlab import datasets
from crmlab.sem.cbsem import fit_cbsem, srmr
from crmlab.sem.syntax import ECSI_MODEL, parse_model
from crmlab.simulate.sem import simulate_survey

pytest.importorskip("semopy")


@pytest.fixture(scope="module")
def ecsi_fit():
    return fit_cbsem(datasets.load_ecsi(), ECSI_MODEL)


def test_fit_indices_equal_ml_formulas(ecsi_fit):
    """chi2 = n F_ML; CFI, TLI against the independence model; RMSEA with n - 1 (Kline 2016)."""
    import semopy

    df = datasets.load_ecsi()
    spec = parse_model(ECSI_MODEL)
    m = semopy.Model(spec.to_lavaan())
    m.fit(df[spec.items].astype(float), obj="MLW")
    obs = m.vars["observed"]
    S = np.cov(df[obs].to_numpy(float), rowvar=False, ddof=0)
    Sig = m.calc_sigma()[0]
    p, n = len(obs), len(df)
    F = np.linalg.slogdet(Sig)[1] + np.trace(S @ np.linalg.inv(Sig)) - np.linalg.slogdet(S)[1] - p
    Fb = np.log(np.diag(S)).sum() - np.linalg.slogdet(S)[1]
    chi, chib, dfm, dfb = n * F, n * Fb, ecsi_fit.fit["df"], p * (p - 1) / 2
    assert dfm == p * (p + 1) / 2 - 64
    assert ecsi_fit.fit["chisq"] == pytest.approx(chi, rel=1e-6)
    assert ecsi_fit.fit["cfi"] == pytest.approx(1 - (chi - dfm) / (chib - dfb), abs=1e-6)
    assert ecsi_fit.fit["tli"] == pytest.approx((chib / dfb - chi / dfm) / (chib / dfb - 1), abs=1e-6)
    assert ecsi_fit.fit["rmsea"] == pytest.approx(np.sqrt((chi - dfm) / (dfm * (n - 1))), abs=1e-6)
    d = np.sqrt(np.diag(S))
    res = ((S - Sig) / np.outer(d, d))[np.triu_indices(p)]
    assert ecsi_fit.fit["srmr"] == pytest.approx(np.sqrt(np.mean(res ** 2)), abs=1e-12)


def test_ecsi_solution_is_reported_inadmissible(ecsi_fit):
    assert not ecsi_fit.admissible
    text = " ".join(ecsi_fit.findings())
    assert "beyond ±1" in text
    assert "EXPE and QUAL" in text
    assert list(ecsi_fit.paths["path"])[:2] == ["EXPE~IMAG", "QUAL~EXPE"]


def test_srmr_zero_for_perfect_fit():
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    assert srmr(S, S) == 0.0
    assert srmr(S, np.diag(np.diag(S))) == pytest.approx(np.sqrt((0.5 / np.sqrt(2)) ** 2 / 3))


def test_proper_solution_on_well_separated_simulated_data():
    model = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ B"
    data, _ = simulate_survey(model, {"B~A": 0.5, "C~B": 0.4}, n=800, within_corr=0.5, seed=11)
    res = fit_cbsem(data, model)
    assert res.admissible, res.problems
    assert res.fit["cfi"] > 0.95 and res.fit["srmr"] < 0.05
