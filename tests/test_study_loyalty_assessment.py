"""Study 1's PLS-SEM assessment (issue #14): PLSc and survey weights in the report, PLSpredict and CVPAT,
the Gaussian-copula check, MICOM before the multi-group test, and the IPMA.

References: the steps are checked by exact recomputation from the estimators they call (the copula table's
path without the copula term = the PLS path, the OLS coefficient of the standardised scores; its path with the
copula term = the estimator's own regression; the target verdict = ``predictive_power`` on the target's rows;
the IPMA scale = the lowest and highest answer of the ECSI items, 0 and 10), the sentences and display tables
from known numbers in English and Chinese.
"""
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import ParameterError
from crmlab.core.modeltext import ECSI_MODEL, parse_model
from crmlab.report import use_lang
from crmlab.report.i18n import current_catalog, use_catalog
from crmlab.sem import PLSPM, PLSPredict, copula_test, ipma, micom
from crmlab.sem.predict import predictive_power
from crmlab.studies.loyalty import assessment, plots, sentences, steps, tables, text

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def catalog():
    previous = current_catalog()
    use_catalog(text.CATALOG)
    yield
    use_catalog(previous)


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


@pytest.fixture(scope="module")
def pls(ecsi):
    return PLSPM(ECSI_MODEL).fit(ecsi)


# --------------------------------------------------------------------------
# steps, from the estimators' own results
# --------------------------------------------------------------------------
def test_estimation_record_counts_every_resample_and_rho_a_joins_the_reliability_table(ecsi):
    m = PLSPM(ECSI_MODEL, method="plsc").fit(ecsi)
    boot = m.bootstrap(60, seed=1)
    rec = steps.estimation_record(m, boot, None)
    assert rec["bootstrap_used"] + rec["bootstrap_not_converged"] + rec["bootstrap_inadmissible"] == 60
    assert rec["bootstrap_inadmissible"] == boot.n_inadmissible > 0 and rec["admissible"] is True
    assert rec["n_eff"] == rec["n"] == 250 and rec["weights"] is None
    meas = SimpleNamespace(table=pd.DataFrame({"alpha": 0.8, "rho_c": 0.9, "ave": 0.6}, index=m.rho_a_.index))
    table = steps.measurement_table(meas, m)
    assert list(table.columns) == ["alpha", "rho_c", "rho_a", "ave"]
    np.testing.assert_allclose(table["rho_a"], m.rho_a_)
    mixed = PLSPM(ECSI_MODEL.replace("IMAG =~", "IMAG <~")).fit(ecsi)
    rec = steps.rho_a_record(mixed)
    assert rec["IMAG"] is None and rec["SAT"] == pytest.approx(mixed.rho_a_["SAT"])


def test_plspredict_record_adds_the_target_verdict_and_cvpat(ecsi):
    pp = PLSPredict(ECSI_MODEL, folds=5, repetitions=1, seed=1).fit(ecsi)
    rec = steps.plspredict_record(pp, "LOY")
    assert rec["target_power"] == predictive_power(pp.metrics_[pp.metrics_["construct"] == "LOY"])
    assert rec["predictive_power"] == pp.predictive_power() and rec["cvpat"] is None and rec["target"] == "LOY"
    assert steps.plspredict_record(pp, "IMAG")["target_power"] is None   # exogenous: no predicted items
    assert list(steps.plspredict_table(pp).columns) == ["item", "construct", "q2_predict", "pls_rmse", "lm_rmse",
                                                        "pls_mae", "lm_mae"]
    cv = SimpleNamespace(to_dict=lambda: {"p_value": 0.5})
    assert steps.plspredict_record(pp, "LOY", cv)["cvpat"] == {"p_value": 0.5}


def test_copula_table_paths_without_and_with_the_copula_term(pls):
    cp = copula_test(pls, n_boot=50, seed=2)
    tab = steps.copula_table(cp, pls).set_index("path")
    assert list(tab.index) == list(pls.paths_.index)
    # without the copula term: OLS on standardised scores = the PLS path coefficients (exact identity)
    np.testing.assert_allclose(tab["path_estimate"], pls.paths_[tab.index], atol=1e-10)
    terms = cp.terms
    row = terms[(terms["target"] == "VAL") & (terms["copulas"] == "QUAL")].set_index("term")
    assert tab.loc["VAL~QUAL", "path_with_copula"] == pytest.approx(row.loc["QUAL", "estimate"])
    assert tab.loc["VAL~QUAL", "p_value"] == pytest.approx(row.loc["copula_QUAL", "p_value"])
    joint = terms[(terms["target"] == "VAL") & (terms["copulas"] == "EXPE+QUAL")].set_index("term")
    assert tab.loc["VAL~QUAL", "p_joint"] == pytest.approx(joint.loc["copula_QUAL", "p_value"])
    assert np.isnan(tab.loc["EXPE~IMAG", "p_joint"])          # one predictor: no joint regression
    # a predictor whose scores are normal gets no copula term
    cp.normality.loc[cp.normality["construct"] == "IMAG", "non_normal"] = False
    cp.terms = terms[~terms["copulas"].str.contains("IMAG")]
    tab = steps.copula_table(cp, pls).set_index("path")
    assert np.isnan(tab.loc["EXPE~IMAG", "estimate"]) and not tab.loc["EXPE~IMAG", "non_normal"]
    assert tab.loc["LOY~SAT", "p_value"] > 0


def _micom_result(invariance, groups=("female", "male")):
    names = ["IMAG", "SAT", "LOY"]
    return SimpleNamespace(decision=pd.DataFrame({"construct": names, "invariance": invariance}), groups=groups)


def test_a_path_difference_is_interpretable_only_when_both_constructs_are_invariant():
    spec = parse_model("IMAG =~ i1 + i2\nSAT =~ s1 + s2\nLOY =~ l1 + l2\nSAT ~ IMAG\nLOY ~ IMAG + SAT")
    got = steps.interpretable_paths(spec, {"female-male": _micom_result(["full", "none", "partial"])})
    assert got == {"SAT~IMAG|female-male": False, "LOY~IMAG|female-male": True, "LOY~SAT|female-male": False}
    assert steps.interpretable_paths(spec, None) is None and steps.micom_record(None, "g", None) is None
    mg = SimpleNamespace(tests=pd.DataFrame({"path": ["SAT~IMAG", "LOY~IMAG"], "group_a": "female",
                                             "group_b": "male"}))
    assert steps.multigroup_table(mg, got)["interpretable"].tolist() == [False, True]
    assert steps.multigroup_table(mg)["interpretable"].tolist() == [None, None]


def test_micom_runs_for_the_pairs_the_multigroup_test_compares(ecsi):
    spec = parse_model(ECSI_MODEL)
    three = ecsi.assign(g=np.where(ecsi.index < 15, "tiny", ecsi["gender"]))   # 15 rows: too few to compare
    assert steps.group_pairs(three, spec, "g") == [("female", "male")]
    res = steps.run_micom(ecsi, spec, "gender", 40, seed=3)
    direct = micom(ecsi, spec, "gender", groups=("female", "male"), n_permutations=40, seed=3)
    assert list(res) == ["female-male"]
    pd.testing.assert_frame_equal(res["female-male"].summary(), direct.summary())
    rec = steps.micom_record(res, "gender", steps.interpretable_paths(spec, res))
    assert rec["group"] == "gender" and rec["pairs"]["female-male"]["n_permutations"] == 40
    assert len(rec["interpretable"]) == len(spec.paths)
    table = steps.micom_table(res)
    assert table["construct"].tolist() == spec.names and (table["groups"] == "female-male").all()
    np.testing.assert_allclose(table["c"], direct.compositional["c"])


def test_ipma_scale_target_and_record(ecsi, pls):
    items = pls.data_.items
    assert steps.ipma_scale(items) == {"low": 0.0, "high": 10.0, "inferred": True, "source": "data"}   # answers 0-10
    assert steps.ipma_scale(items, [1, 10]) == {"low": 1.0, "high": 10.0, "inferred": False, "source": "ipma_scale"}
    # each item's own scale from the hygiene step: one shared scale, or a dict per item when they differ
    own = dict.fromkeys(items.columns, (0.0, 10.0))
    assert steps.ipma_scale(items, None, own, dict.fromkeys(own, "codebook")) == {
        "low": 0.0, "high": 10.0, "inferred": False, "source": "codebook"}
    mixed = steps.ipma_scale(items, None, {**own, "sat1": (1.0, 11.0)}, {**dict.fromkeys(own, "codebook"),
                                                                      "sat1": "inferred"})
    assert mixed["low"] is None and mixed["items"]["sat1"] == [1.0, 11.0] and mixed["inferred"]
    assert mixed["source"] == "codebook+inferred"
    assert steps.ipma_scale_argument(mixed)["sat1"] == (1.0, 11.0) and steps.ipma_scale_argument(
        steps.ipma_scale(items)) == (0.0, 10.0)
    for bad in ([10, 1], [1], "x"):
        with pytest.raises(ParameterError, match="ipma_scale"):
            steps.ipma_scale(items, bad)
    spec = pls.spec_
    assert steps.ipma_target(spec, None, "LOY") == "LOY" and steps.ipma_target(spec, "SAT", "LOY") == "SAT"
    with pytest.raises(ParameterError, match="ipma_target 'IMAG' is not an endogenous construct"):
        steps.ipma_target(spec, "IMAG", "LOY")
    res = ipma(pls, "LOY", scale=(0, 10))
    rec = steps.ipma_record(res, steps.ipma_scale(items))
    assert rec["scale"]["inferred"] and "scale_from_data" not in rec and rec["target"] == "LOY"


# --------------------------------------------------------------------------
# sentences in both languages
# --------------------------------------------------------------------------
def _est(method="pls", admissible=True, weighted=False):
    return SimpleNamespace(method=method, admissible_=admissible, n_eff_=187.42, data_=SimpleNamespace(n_used=250),
                           sample_weights_=np.ones(3) if weighted else None, r2_=pd.Series({"SAT": 0.7}),
                           scheme="path", gof_=0.6071)


def _boot(used=5000, failed=0, inadmissible=0):
    return SimpleNamespace(n_resamples=used, n_failed=failed, n_inadmissible=inadmissible)


def test_estimation_sentence_says_plsc_drops_and_weights_in_both_languages():
    assert assessment.estimation_line(_est(), _boot()) == ("**Estimation.** PLS (each construct a weighted "
                                                           "composite of its items). No survey weights.")
    en = assessment.estimation_line(_est("plsc", False, True), _boot(1818, 3182, 3182), "w")
    assert "Consistent PLS (PLSc; Dijkstra & Henseler 2015)" in en
    assert "The PLSc solution on the full sample is **inadmissible**" in en
    assert ("Of the 5,000 bootstrap resamples, 3,182 (64%) gave an inadmissible PLSc solution and were dropped "
            "(as cSEM does); the intervals rest on the 1,818 admissible ones") in en
    assert "weighted by the survey weights in “w” (Kish effective n = 187 of 250 respondents)" in en
    with use_lang("zh"):
        zh = assessment.estimation_line(_est("plsc", True, True), _boot(1818, 3182, 3182), "w")
        assert "5,000 次自助抽样中有 3,182 次（64%）得到不可接受的 PLSc 解，已被剔除" in zh
        assert "按调查权重列“w”加权（Kish 有效样本量 187，受访者 250 名）" in zh and "不可接受**" not in zh
        assert assessment.estimation_line(_est(), _boot()).endswith("未使用调查权重。")


def test_pls_heading_and_resamples_name_plsc_the_effective_n_and_the_dropped_resamples():
    assert sentences.pls_heading(_est("plsc", weighted=True)) == (
        "**PLS path model** (consistent PLS (PLSc), path scheme, n = 250, weighted effective n = 187, "
        "GoF = 0.607). R²: SAT 0.700")
    assert sentences._resamples(_boot(1818, 3190, 3182)) == ("1818 of 5008 resamples used; 3182 inadmissible PLSc "
                                                             "solutions and 8 not converged dropped")
    assert sentences._resamples(_boot(5000)) == "5000 resamples, 0 not converged"
    with use_lang("zh"):
        assert sentences.pls_heading(_est("plsc")).startswith(
            "**PLS 路径模型**（一致性 PLS（PLSc），内部权重：路径加权，")
        assert sentences._resamples(_boot(1818, 3182, 3182)) == ("自助抽样 5000 次，使用 1818 次；"
                                                                 "剔除 3182 次不可接受的 PLSc 解与 0 次未收敛")


def _pp(lm_rmse, q2=0.2, target_rows=2):
    items = ["sat1", "sat2", "loy1", "loy2"]
    m = pd.DataFrame({"item": items, "construct": ["SAT", "SAT", "LOY", "LOY"], "q2_predict": q2,
                      "pls_rmse": 1.0, "lm_rmse": lm_rmse, "pls_mae": 1.0, "lm_mae": 1.0})
    return SimpleNamespace(metrics_=m, folds=10, repetitions=10, predictive_power=lambda: predictive_power(m))


def test_plspredict_sentence_states_the_verdict_and_its_meaning_in_both_languages():
    en = assessment.plspredict_line(_pp([2.0, 0.5, 2.0, 2.0]), "LOY")
    assert en.startswith("**Predictive power: medium** (Shmueli et al. 2019; 10-fold cross-validation repeated "
                         "10 times). Q²predict is positive for 4 of 4 endogenous indicators (0.20 – 0.20)")
    assert ("PLS has a lower RMSE than the linear-model benchmark for 3 of 4 indicators (“sat1”, “loy1” and "
            "“loy2”).") in en
    assert "For the items of LOY, the key target construct, the predictive power is high (PLS better for 2 of 2)." in en
    low = assessment.plspredict_line(_pp([2.0, 0.5, 0.5, 0.5], q2=[0.2, 0.1, -0.05, 0.3]), "LOY")
    assert "**Predictive power: none**" in low and "Q²predict ≤ 0: “loy1”." in low and "should not be used" in low
    with use_lang("zh"):
        zh = assessment.plspredict_line(_pp([2.0, 0.5, 0.5, 0.5]), "LOY")
        assert zh.startswith("**预测能力：低**（Shmueli 等 2019；10 折交叉验证，重复 10 次）。")
        assert "在 4 个题项中，PLS 的 RMSE 低于线性模型基准的有 1 个（“sat1”）。" in zh
        assert "关键目标构念LOY的题项：预测能力无（PLS 在 2 个题项中有 0 个更好）。" in zh


def test_cvpat_sentence_names_the_better_model():
    cv = SimpleNamespace(loss_established=2.9512, loss_alternative=3.1, difference=0.1488, ci_low=0.05, ci_high=0.25,
                         p_value=0.004)
    assert assessment.cvpat_line(cv).endswith("difference 0.149 [0.050, 0.250] (95% CI, p = 0.004): this study's "
                                              "model predicts significantly better out of sample.")
    cv.p_value = 0.4
    assert assessment.cvpat_line(cv).endswith("neither model predicts significantly better; parsimony favours the "
                                              "simpler one.")
    with use_lang("zh"):
        assert "平均损失为 2.95（本研究模型）与 3.10（备选模型）" in assessment.cvpat_line(cv)
        cv.p_value = 0.01
        assert assessment.cvpat_line(cv).endswith("：本研究模型的样本外预测显著更好。")


def _copula(p=(0.019, 0.6), non_normal=(True, True), p_joint=(0.011, 0.67)):
    return pd.DataFrame({"path": ["VAL~QUAL", "VAL~EXPE"], "target": "VAL", "predictor": ["QUAL", "EXPE"],
                         "non_normal": list(non_normal), "p_value": list(p), "p_joint": list(p_joint),
                         "path_estimate": [0.66, 0.118], "path_with_copula": [1.22, 0.34]})


def test_copula_sentence_evidence_none_and_not_identified_in_both_languages():
    en = assessment.copula_line(_copula())
    assert en == ("**Evidence of endogeneity**: the copula term of QUAL in the regression of VAL (p = 0.019; with "
                  "all copula terms of VAL jointly p = 0.011); with it the path QUAL → VAL is 1.2 instead of 0.66. "
                  "These paths may be biased by an omitted common cause or by reverse causality; read them with "
                  "caution. With 2 copula terms tested, about 0.1 would be significant by chance alone.")
    none = assessment.copula_line(_copula(p=(0.2, 0.6), non_normal=(True, False)))
    assert none == ("The scores of EXPE are not distinguishable from normal and get no copula term (not identified). "
                    "None of the 1 copula terms is significant at 5%: no evidence of endogeneity in the structural "
                    "regressions.")
    assert assessment.copula_line(_copula(non_normal=(False, False))).startswith("No predictor's scores depart")
    with use_lang("zh"):
        assert assessment.copula_line(_copula()).startswith(
            "**存在内生性的证据**：VAL回归中QUAL的 Copula 项（p = 0.019，与VAL的全部 Copula 项一起时 p = 0.011）："
            "加入后路径 QUAL → VAL 为 1.2，原估计为 0.66。")
        assert assessment.copula_line(_copula(p=(0.2, 0.6))).endswith(
            "2 个 Copula 项均不显著：结构回归中没有内生性的证据。")


def _micom(invariance=("full", "none", "full"), c_ok=(True, False, True), equal=(True, True, True), failed=0):
    names = pd.Index(["IMAG", "SAT", "LOY"], name="construct")
    comp = pd.DataFrame({"c": [0.996, 0.9944, 0.9954], "quantile": [0.991, 0.9963, 0.9887],
                         "p_value": [0.3, 0.015, 0.28], "invariant": list(c_ok)}, index=names)
    step3 = pd.DataFrame({"equal": list(equal)}, index=names)
    return SimpleNamespace(compositional=comp, means=step3, variances=step3.assign(equal=True),
                           groups=("female", "male"),
                           n={"female": 148, "male": 102}, n_permutations=1000, alpha=0.05, n_failed=failed,
                           decision=pd.DataFrame({"construct": names, "invariance": list(invariance)}))


def test_micom_sentence_says_what_may_be_interpreted_in_both_languages():
    spec = parse_model("IMAG =~ i1 + i2\nSAT =~ s1 + s2\nLOY =~ l1 + l2\nSAT ~ IMAG\nLOY ~ IMAG + SAT")
    en = assessment.micom_line({"female-male": _micom()}, spec)
    assert en == ("**female vs male** (n = 148 and 102; 1,000 permutations): compositional invariance (step 2) fails "
                  "for SAT (c = 0.9944 below its 5% quantile 0.9963, p = 0.015); means and variances are equal in both "
                  "groups (step 3). Invariance: full for IMAG and LOY; none for SAT. Group differences of the paths "
                  "involving SAT (IMAG → SAT; SAT → LOY) are therefore not interpreted: the composite does not mean "
                  "the same in both groups.")
    full = assessment.micom_line({"a-b": _micom(("full",) * 3, (True,) * 3)}, spec)
    assert full.endswith("Every construct is fully invariant: the paths can be compared and the groups could be "
                         "pooled.")
    partial = assessment.micom_line({"a-b": _micom(("full", "partial", "full"), (True,) * 3, (True, False, True),
                                                   failed=3)}, spec)
    assert "step 3 finds unequal means of SAT." in partial and "at least partially invariant" in partial
    assert partial.endswith("3 permutations could not be estimated and were dropped.")
    assert assessment.micom_line(None, spec) == "No `group` column given: MICOM skipped."
    assert assessment.micom_line(None, spec, "gender") == ("The measurement invariance check (MICOM) was not run "
                                                           "(parameter `micom` is false).")
    assert assessment.micom_line({}, spec).startswith("No two groups have at least 20 complete respondents")
    with use_lang("zh"):
        zh = assessment.micom_line({"female-male": _micom()}, spec)
        assert zh.startswith("**女性与男性**（n = 148 与 102；置换 1,000 次）：组成不变性（第 2 步）不成立的构念："
                             "SAT（c = 0.9944，低于 5% 分位数 0.9963，p = 0.015）")
        assert zh.endswith("因此涉及SAT的路径（IMAG → SAT；SAT → LOY）的组间差异不予解释："
                           "两组中的组合得分含义不同。")
        assert assessment.micom_line(None, spec, "gender") == ("组合测量不变性检验（MICOM）未运行"
                                                               "（参数 `micom` 为 false）。")


def test_multigroup_sentence_does_not_interpret_non_invariant_paths_and_names_inadmissible_groups():
    tests = pd.DataFrame({"path": ["LOY~SAT", "SAT~VAL"], "group_a": "female", "group_b": "male",
                          "estimate_a": [0.261, 0.475], "estimate_b": [0.716, 0.9], "difference": [-0.455, -0.425],
                          "p_value": [0.01, 0.02]})
    mg = SimpleNamespace(tests=tests, n_permutations=1000, inadmissible=["male"], n_failed=12)
    ok = {"LOY~SAT|female-male": True, "SAT~VAL|female-male": False}
    en = sentences.multigroup_line(mg, ok, micom_ran=True)
    assert en.startswith("Following MICOM, differences of paths that involve a construct without compositional "
                         "invariance are not interpreted (column `interpretable` is no). The PLSc solution of group "
                         "male is inadmissible: its paths are no findings. 12 permutations did not converge or gave an "
                         "inadmissible PLSc solution and were dropped; the p-values of each pair of groups rest on the "
                         "about 988 left.\n\n")
    few = SimpleNamespace(tests=tests, n_permutations=200, inadmissible=[], n_failed=199)
    assert "rest on the about 1 left, too few for a test at 5%." in sentences.multigroup_line(few, ok, micom_ran=True)
    assert "- SAT → LOY: female 0.261 vs male 0.716 (permutation p = 0.010).\n" in en
    assert ("- VAL → SAT: female 0.475 vs male 0.900 (permutation p = 0.020), not interpreted: a construct of this path "
            "is not compositionally invariant (MICOM).") in en
    nan = SimpleNamespace(tests=tests.assign(p_value=np.nan), n_permutations=10)
    assert sentences.multigroup_findings(nan) == ["No permutation could be estimated: the group differences cannot be "
                                                  "tested."]
    with use_lang("zh"):
        zh = sentences.multigroup_line(mg, ok, micom_ran=True)
        assert "男性组的 PLSc 解不可接受：其路径系数不能作为结论。" \
               "有 12 次置换未收敛或得到不可接受的 PLSc 解，已剔除；" \
               "每对群组的 p 值只基于其余约 988 次置换。" in zh
        assert ("VAL → SAT：女性组 0.475，男性组 0.900（置换检验 p = 0.020），"
                "但不予解释：该路径涉及的构念不具备组成不变性"
                "（MICOM）。") in zh


def _ipma(inferred=True, negative=False):
    cons = pd.DataFrame({"construct": ["IMAG", "SAT", "VAL"], "importance": [0.714, 0.55, 0.321],
                         "performance": [75.8, 68.5, 70.97]})
    ind = pd.DataFrame({"item": ["imag3", "sat1", "val1"], "construct": ["IMAG", "SAT", "VAL"],
                        "importance": [0.176, 0.15, 0.0886], "performance": [79.12, 71.8, 70.5],
                        "negative_weight": [False, negative, False]})
    return SimpleNamespace(target="LOY", target_performance=72.04, constructs=cons, indicators=ind), \
        {"low": 0.0, "high": 10.0, "inferred": inferred}


def test_ipma_sentence_ranks_importance_and_names_the_priority_in_both_languages():
    en = assessment.ipma_line(*_ipma())
    assert en.startswith("**Target LOY**: performance 72.0 on the 0-100 scale. Importance (the total effect on LOY: "
                         "points of LOY performance per point of a driver's performance), highest first: IMAG 0.71 "
                         "(performance 75.8), SAT 0.55 (performance 68.5) and VAL 0.32 (performance 71.0).")
    assert ("Above-average importance with below-average performance, the first place to improve: SAT (importance "
            "0.55, performance 68.5).") in en
    assert "At the item level the most important is “imag3” (IMAG, importance 0.18, performance 79.1)." in en
    assert en.endswith("Items were rescaled from the answer scale 0-10 to 0-100, inferred from the data (the lowest "
                       "and highest answer over all items); give the questionnaire's scale with parameter `ipma_scale` "
                       "if it is wider.")
    res, scale = _ipma(inferred=False, negative=True)
    res.constructs["performance"] = [60.0, 80.0, 70.0]   # the most important is also the weakest: no mixed quadrant
    given = assessment.ipma_line(res, scale)
    assert given.endswith("(parameter `ipma_scale`).") and "Items with negative weights (“sat1”)" in given
    assert "the first place to improve: IMAG" in given
    with use_lang("zh"):
        zh = assessment.ipma_line(*_ipma())
        assert zh.startswith("**目标构念LOY**的绩效为 72.0（0-100 分）。重要性（每个前因对LOY的总效应：")
        assert "应优先改进：SAT（重要性 0.55，绩效 68.5）。" in zh and "该量表由数据推断" in zh
    assert assessment.skipped_line("copula", "copula") == ("The Gaussian-copula endogeneity check was not run "
                                                           "(parameter `copula` is false).")
    with use_lang("zh"):
        assert assessment.verdict_word("medium") == "中等"


# --------------------------------------------------------------------------
# display tables and the IPMA figure
# --------------------------------------------------------------------------
def test_display_tables_of_the_assessment_in_chinese(pls):
    cop = steps.copula_table(copula_test(pls, n_boot=30, seed=1), pls)
    with use_lang("zh"):
        shown = tables.copula(cop)
        assert list(shown.columns)[:3] == ["正态性检验 p 值（Lilliefors）", "Copula 项 [95% 置信区间]", "p 值"]
        assert shown.index.name == "路径"
    mi = pd.DataFrame({"groups": "female-male", "construct": ["VAL"], "c": [0.99441], "c_quantile": [0.99632],
                       "p_composition": [0.0149], "mean_diff": [0.201], "mean_low": [-0.306], "mean_high": [0.215],
                       "p_mean": [0.15], "logvar_diff": [0.0004], "logvar_low": [-0.381], "logvar_high": [0.388],
                       "p_logvar": [0.999], "invariance": ["none"]})
    en = tables.micom(mi)
    assert en.iloc[0][["c", "5% quantile of c", "p (step 2)", "95% permutation range (means)", "invariance"]].tolist() \
        == ["0.9944", "0.9963", "0.015", "[-0.306, 0.215]", "none"]
    with use_lang("zh"):
        assert tables.micom(mi).iloc[0]["不变性"] == "不具备不变性"
    mg = pd.DataFrame({"path": ["LOY~SAT"], "group_a": ["female"], "group_b": ["male"], "p_value": [0.01],
                       "interpretable": [False]})
    with use_lang("zh"):
        assert tables.multigroup(mg).iloc[0].tolist() == ["女性", "男性", "0.010", "否"]
    res = ipma(pls, "LOY", scale=(0, 10))
    assert list(tables.ipma_indicators(res.indicators).columns) == ["construct", "rescaled weight", "importance",
                                                                     "performance (0-100)"]
    pp = PLSPredict(ECSI_MODEL, folds=3, repetitions=1, seed=1).fit(pls.data_.items)
    with use_lang("zh"):
        assert list(tables.plspredict(steps.plspredict_table(pp)).columns) == [
            "构念", "预测 Q²（Q²predict）", "PLS 均方根误差", "线性模型均方根误差", "PLS 平均绝对误差",
            "线性模型平均绝对误差"]


def test_ipma_figure_is_labelled_in_chinese():
    import warnings

    from crmlab.report.theme import set_theme

    set_theme()
    cons = _ipma()[0].constructs
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        with use_lang("zh"):
            fig = plots.plot_ipma(cons, "LOY")
            ax = fig.axes[0]
            assert [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()] == [
                "LOY的重要性-绩效矩阵", "重要性（对LOY的总效应）", "绩效（0-100）"]
            fig.canvas.draw()
    assert [t.get_text() for t in ax.texts] == ["IMAG", "SAT", "VAL"]
    lo, hi = ax.get_ylim()
    assert 0 <= lo < 68.5 and 75.8 < hi <= 100
    plt.close("all")


def test_ipma_sentence_names_constructs_and_says_where_each_scale_comes_from():
    from crmlab.core.codebook import load_codebook
    from crmlab.core.paths import data_dir
    from crmlab.report.i18n import use_codebook

    use_codebook(load_codebook(data_dir() / "ecsi" / "codebook.yaml").terms())
    try:
        res, _ = _ipma()
        en = assessment.ipma_line(res, {"low": 0.0, "high": 10.0, "inferred": False, "source": "codebook"})
        assert en.startswith("**Target Loyalty**: performance 72.0") and "Image 0.71 (performance 75.8)" in en
        assert "the first place to improve: Satisfaction (importance 0.55, performance 68.5)" in en
        assert "“Image: seriousness” (Image, importance 0.18" in en
        assert en.endswith("Items were rescaled from the answer scale 0-10 to 0-100 (scales from: codebook).")
        mixed = {"low": None, "high": None, "inferred": True, "source": "codebook+inferred"}
        with use_lang("zh"):
            zh = assessment.ipma_line(res, mixed)
            assert zh.startswith("**目标构念顾客忠诚度**的绩效为 72.0（0-100 分）。")
            assert zh.endswith("各题项按各自的答题量表换算为 0-100 分（量表来源：编码表和由作答推断；由作答推断的量表请在附录中核对）。")
    finally:
        use_codebook(None)
