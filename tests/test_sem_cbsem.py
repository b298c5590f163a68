"""CB-SEM via semopy: fit indices recomputed from their textbook formulas, admissibility checks."""
import numpy as np
import pytest

from crmlab.core import datasets
from crmlab.core.errors import ConvergenceError, ParameterError
from crmlab.sem.cbsem import fit_cbsem, srmr
from crmlab.core.modeltext import ECSI_MODEL, parse_model
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
    assert ecsi_fit.converged and ecsi_fit.iterations > 0
    assert not ecsi_fit.admissible
    kinds = [kind for kind, _ in ecsi_fit.issues]
    assert "inadmissible" in kinds and "not_converged" not in kinds
    beyond = [info for kind, info in ecsi_fit.issues if kind == "inadmissible"]
    assert all(abs(info["value"]) > 1 for info in beyond)
    assert ("near_singular", "EXPE", "QUAL") in [(k, i.get("a"), i.get("b")) for k, i in ecsi_fit.issues]
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


def test_iteration_limit_is_flagged_as_not_converged_like_an_inadmissible_solution():
    """Issue #10: a fit stopped by the iteration limit used to be reported as a solution. semopy's own
    SolverResult (SLSQP, 'Iteration limit reached') is the reference for non-convergence."""
    import semopy

    model = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nC =~ c1 + c2 + c3\nB ~ A\nC ~ B"
    data, _ = simulate_survey(model, {"B~A": 0.5, "C~B": 0.4}, n=400, within_corr=0.5, seed=11)
    spec = parse_model(model)
    ref = semopy.Model(spec.to_lavaan()).fit(data[spec.items].astype(float), obj="MLW", options={"maxiter": 1})
    assert not ref.success and ref.n_it == 1
    res = fit_cbsem(data, model, max_iter=1)
    assert not res.converged and res.iterations == 1
    assert not res.admissible
    kind, info = res.issues[0]
    assert kind == "not_converged" and info == {"iterations": 1, "message": str(ref.message)}
    with pytest.raises(ConvergenceError, match=r"did not converge after 1 iterations: Iteration limit reached"):
        fit_cbsem(data, model, max_iter=1, strict=True)
    with pytest.raises(ParameterError, match="max_iter must be at least 1"):
        fit_cbsem(data, model, max_iter=0)
    proper = fit_cbsem(data, model, strict=True)  # converges: no error, no issue
    assert proper.converged and proper.admissible and proper.iterations > 1


def test_a_last_iterate_semopy_cannot_summarise_raises_convergence_error(monkeypatch):
    import semopy

    def singular(self, *args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(semopy.Model, "inspect", singular)
    model = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nB ~ A"
    data, _ = simulate_survey(model, {"B~A": 0.5}, n=300, within_corr=0.5, seed=3)
    with pytest.raises(ConvergenceError, match=r"did not converge after 1 iterations.*LinAlgError at the last iterate"):
        fit_cbsem(data, model, max_iter=1)
    with pytest.raises(np.linalg.LinAlgError):  # a converged fit's own error is not disguised
        fit_cbsem(data, model)


def test_warnings_of_the_fit_reach_the_caller(monkeypatch):
    """No blanket warnings filter: what semopy warns about is seen by the user."""
    import warnings

    import semopy

    calc_stats = semopy.calc_stats

    def noisy(model):
        warnings.warn("from semopy", RuntimeWarning)
        return calc_stats(model)

    monkeypatch.setattr(semopy, "calc_stats", noisy)
    model = "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nB ~ A"
    data, _ = simulate_survey(model, {"B~A": 0.5}, n=300, within_corr=0.5, seed=3)
    with pytest.warns(RuntimeWarning, match="from semopy"):
        fit_cbsem(data, model)
