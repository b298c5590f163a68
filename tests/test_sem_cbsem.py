"""CB-SEM via semopy: fit indices recomputed from their textbook formulas, admissibility checks."""
import numpy as np
import pytest

from crmlab.core import datasets
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


def test_fit_summary_and_problems_in_chinese():
    import pandas as pd

    from crmlab.sem.cbsem import CBSEMResult, problem_text

    issues = [("inadmissible", {"path": True, "lval": "VAL", "rval": "EXPE", "value": -1.788}),
              ("heywood", {"var": "qual2", "value": -0.0123}),
              ("near_singular", {"a": "EXPE", "b": "QUAL", "value": 0.9931}), ("not_finite", {})]
    res = CBSEMResult(estimates=pd.DataFrame(), paths=pd.DataFrame(),
                      fit={"chisq": 1165.72, "df": 314, "cfi": 0.8271, "tli": 0.806, "rmsea": 0.1042, "srmr": 0.0781},
                      latent_corr=pd.DataFrame(), problems=[problem_text(k, i) for k, i in issues], n=250,
                      issues=issues)
    assert res.fit_summary("zh") == "**模型拟合**较差：χ²(314) = 1165.7, CFI 0.827, TLI 0.806, RMSEA 0.104, SRMR 0.078。"
    assert res.fit_summary() == "**Fit** is poor: χ²(314) = 1165.7, CFI 0.827, TLI 0.806, RMSEA 0.104, SRMR 0.078."
    assert res.findings("zh") == [
        "不可接受的解：标准化路径 VAL ~ EXPE = -1.79，超出 ±1。",
        "Heywood 情形：qual2 的方差估计为负（-0.012）。",
        "近似奇异：模型隐含的 EXPE 与 QUAL 的相关系数为 0.993；这两个构念在经验上无法区分，涉及它们的路径无法解释。",
        "部分拟合指标不是有限值：优化器没有得到正常的解。"]
    assert res.findings()[0] == "Inadmissible: standardized path VAL ~ EXPE = -1.79 lies beyond ±1."
    ok = CBSEMResult(estimates=pd.DataFrame(), paths=pd.DataFrame(), fit={}, latent_corr=pd.DataFrame())
    assert ok.findings("zh")[0].startswith("最大似然解是可接受的")


def test_ecsi_problems_in_both_languages(ecsi_fit):
    zh, en = ecsi_fit.findings("zh"), ecsi_fit.findings()
    assert en == ecsi_fit.problems and len(zh) == len(en) > 0
    assert any("EXPE 与 QUAL" in s and "无法区分" in s for s in zh)
