"""Study 4 on a researcher's own data (issue #11): the experiment and the churn table read as exports give them (an
Excel sheet, arms coded 0/1 with ``control: 0``, yes/no outcomes and churn labels as 是/否, yes/no, Y/N, true/false,
1/0 through a value map the report shows, amounts written as ``¥12.00``), either table alone, small or degenerate
data named as such, and every error naming the file, the column, the rows as numbered in the file and the
parameter that fixes it. The coupon export is built from the bundled Hillstrom experiment and checked against the
same data read by hand; the introduction describes the bundled tables only when they are used."""
import numpy as np
import pandas as pd
import pytest

from crmlab import experiments as ex
from crmlab.core.errors import DataError, ParameterError
from crmlab.report import use_lang
from crmlab.report.i18n import use_catalog, use_codebook
from crmlab.studies.retention import sentences as s
from crmlab.studies.retention import steps, tables, text
from tests.conftest import ROOT

HILLSTROM = ROOT / "data" / "hillstrom" / "hillstrom.csv"
TELCO = ROOT / "data" / "telco_churn" / "telco_churn.csv"


@pytest.fixture(autouse=True)
def _words():
    use_catalog(text.CATALOG)
    yield
    use_catalog(None)
    use_codebook(None)
    text.use_data()


def _yes_no(x):
    return np.where(np.asarray(x) == 1, "是", "否")


@pytest.fixture(scope="module")
def hillstrom():
    return pd.read_csv(HILLSTROM)


@pytest.fixture(scope="module")
def coupon(hillstrom, tmp_path_factory):
    """A coupon experiment as a shop exports it: an Excel workbook whose second sheet holds the data, Chinese headers,
    arms 0/1, yes/no outcomes as 是/否, spend as ¥ amounts; built from the Men's e-mail and no-e-mail arms."""
    h = hillstrom[hillstrom["segment"].isin(["Mens E-Mail", "No E-Mail"])].iloc[:3000].reset_index(drop=True)
    df = pd.DataFrame({"组别": (h["segment"] == "Mens E-Mail").astype(int), "是否到访": _yes_no(h["visit"]),
                       "是否购买": _yes_no(h["conversion"]), "消费金额": [f"¥{v:,.2f}" for v in h["spend"]],
                       "最近购买月数": h["recency"], "渠道": h["channel"], "新客户": _yes_no(h["newbie"])})
    path = tmp_path_factory.mktemp("coupon") / "coupon.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"说明": ["优惠券实验"]}).to_excel(w, sheet_name="说明", index=False)
        df.to_excel(w, sheet_name="券实验", index=False)
    return path, h


def _open_coupon(path, **kw):
    args = dict(sheet="券实验", arm_col="组别", control=0, outcomes=["是否到访", "是否购买", "消费金额"],
                binary_outcomes=["是否到访", "是否购买"], columns={"covariates": ["最近购买月数", "渠道", "新客户"]})
    return steps.open_experiment(path, **{**args, **kw})


# ------------------------------------------------------------------ the experiment
def test_coupon_export_with_yes_no_outcomes_and_0_1_arms_reads_as_the_data_by_hand(coupon):
    path, h = coupon
    e = _open_coupon(path)
    assert (e.file, e.control, e.arms, e.binary) == ("coupon.xlsx", "0", ["1"], ["是否到访", "是否购买"])
    assert e.value_maps == {"是否到访": {"否": 0, "是": 1}, "是否购买": {"否": 0, "是": 1}}
    assert e.data["是否到访"].tolist() == h["visit"].astype(float).tolist()
    assert e.data["消费金额"].to_numpy() == pytest.approx(h["spend"].to_numpy(), abs=0.005)  # ¥1,234.50 read as money
    assert e.data["组别"].tolist() == (h["segment"] == "Mens E-Mail").astype(int).astype(str).tolist()
    # the effects are the ones of the same customers read by hand
    got = ex.itt_effects(e.data, "组别", e.control, ["是否到访"], binary={"是否到访": True}).iloc[0]
    ref = ex.itt_effects(h, "segment", "No E-Mail", ["visit"], binary={"visit": True}).iloc[0]
    assert (got["estimate"], got["ci_low"], got["ci_high"], got["p"]) == pytest.approx(
        (ref["estimate"], ref["ci_low"], ref["ci_high"], ref["p"]), rel=1e-12)
    assert e.record()["customers_per_arm"] == {"0": int((h["segment"] == "No E-Mail").sum()),
                                               "1": int((h["segment"] == "Mens E-Mail").sum())}
    assert steps.split_labels({0: 0.5, 1: 0.5}, e) == {"0": 0.5, "1": 0.5}
    with pytest.raises(ParameterError, match=r"'expected_split' names arm\(s\) \['2'\]"):
        steps.split_labels({0: 0.5, 2: 0.5}, e)
    # the control may be given as text or as a number (crmlab run -p control=0 passes the text "0")
    assert _open_coupon(path, control="0").control == "0"


def test_yes_no_answers_beyond_the_recognised_ones_come_from_outcome_values(tmp_path):
    n = 60
    df = pd.DataFrame({"arm": ["A", "B"] * (n // 2), "used": ["已领取", "未领取", "未领取"] * (n // 3)})
    df.to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(DataError, match=r"x.csv: outcome 'used' is declared binary.*\['已领取', '未领取'.*at rows 2, 3, 4"
                                        r".*outcome_values"):
        steps.open_experiment(tmp_path / "x.csv", arm_col="arm", control="A", outcomes=["used"],
                              binary_outcomes=["used"])
    e = steps.open_experiment(tmp_path / "x.csv", arm_col="arm", control="A", outcomes=["used"],
                              binary_outcomes=["used"], outcome_values={"已领取": 1, "未领取": 0})
    assert e.value_maps == {"used": {"已领取": 1, "未领取": 0}} and e.data["used"].sum() == n // 3


def test_bad_experiments_are_refused_naming_file_column_rows_and_parameter(tmp_path, hillstrom):
    h = hillstrom.iloc[:400].copy()

    def write(df, name="exp.csv"):
        df.to_csv(tmp_path / name, index=False)
        return tmp_path / name

    base = dict(arm_col="segment", control="No E-Mail", outcomes=["visit", "spend"], binary_outcomes=["visit"])
    with pytest.raises(DataError, match=r"exp.csv: parameter 'outcomes' names column 'revenue', which the file does "
                                        r"not have; its columns: recency, history_segment"):
        steps.open_experiment(write(h), **{**base, "outcomes": ["visit", "revenue"]})
    with pytest.raises(DataError, match=r"parameter 'covariates' names columns \['age', 'region'\]"):
        steps.open_experiment(write(h), **base, columns={"covariates": ["recency", "age", "region"]})
    with pytest.raises(DataError, match=r"the control arm 'Control' \(parameter control\) is not a label of column "
                                        r"'segment'; its labels: \['Mens E-Mail', 'No E-Mail', 'Womens E-Mail'\]"):
        steps.open_experiment(write(h), **{**base, "control": "Control"})
    bad = h.copy()
    bad.loc[[4, 9], "segment"] = np.nan
    with pytest.raises(DataError, match=r"'segment' \(parameter arm_col\) has no arm label at rows 6, 11 \(2 in all\)"):
        steps.open_experiment(write(bad), **base)
    bad = h.copy().astype({"visit": object})
    bad.loc[2, "visit"] = "maybe"
    with pytest.raises(DataError, match=r"'visit' is declared binary \(parameter binary_outcomes\) but holds "
                                        r"\['maybe'\] at row 4;"):
        steps.open_experiment(write(bad), **base)
    bad = h.copy().astype({"spend": object})
    bad.loc[7, "spend"] = "n/a?"
    with pytest.raises(DataError, match=r"outcome 'spend' is neither a number nor a yes/no answer: it holds "
                                        r"\['n/a\?'\] at row 9"):
        steps.open_experiment(write(bad), **base)
    bad = h.copy()
    bad.loc[3, "spend"] = np.nan
    with pytest.raises(DataError, match=r"outcome 'spend' is empty at row 5 \(1 in all\)"):
        steps.open_experiment(write(bad), **base)
    with pytest.raises(ParameterError, match=r"'binary_outcomes' names \['conversion'\], which are not among"):
        steps.open_experiment(write(h), **{**base, "binary_outcomes": ["conversion"]})


def test_small_or_degenerate_experiments_are_named_as_such(tmp_path, hillstrom):
    few = hillstrom.iloc[:30]
    few.to_csv(tmp_path / "few.csv", index=False)
    with pytest.raises(DataError, match=r"few.csv: too few customers for an experiment analysis: arm 'No E-Mail' "
                                        r"has 8, arm 'Mens E-Mail' has 12, arm 'Womens E-Mail' has 10 \(at least 20 "
                                        r"per arm"):
        steps.open_experiment(tmp_path / "few.csv", arm_col="segment", control="No E-Mail", outcomes=["visit"])
    one = hillstrom.iloc[:300].assign(segment="No E-Mail")
    one.to_csv(tmp_path / "one.csv", index=False)
    with pytest.raises(DataError, match="holds only the control arm 'No E-Mail': there is nothing to compare"):
        steps.open_experiment(tmp_path / "one.csv", arm_col="segment", control="No E-Mail", outcomes=["visit"])
    flat = hillstrom.iloc[:300].assign(visit=0)
    flat.to_csv(tmp_path / "flat.csv", index=False)
    with pytest.raises(DataError, match="outcome 'visit' takes the single value 0 for every customer"):
        steps.open_experiment(tmp_path / "flat.csv", arm_col="segment", control="No E-Mail", outcomes=["visit"])
    hillstrom.iloc[:0].to_csv(tmp_path / "empty.csv", index=False)
    with pytest.raises(DataError, match=r"empty.csv: the file has a header and no rows: no customers to analyse "
                                        r"\(parameter 'experiment'\)"):
        steps.open_experiment(tmp_path / "empty.csv", arm_col="segment", control="No E-Mail", outcomes=["visit"])


# ------------------------------------------------------------------ the churn table
@pytest.fixture(scope="module")
def telco():
    return pd.read_csv(TELCO)


def test_churn_labels_as_exports_write_them(tmp_path, telco):
    t = telco.iloc[:500].copy()
    ref = (t["churn"] == "Yes").astype(int).to_numpy()
    for labels in (("是", "否"), ("Y", "N"), ("TRUE", "false"), (1, 0)):
        t["churn"] = np.where(ref == 1, labels[0], labels[1])
        t.to_csv(tmp_path / "c.csv", index=False, encoding="gb18030")  # a GBK export
        sv = steps.open_survival(tmp_path / "c.csv", duration_col="tenure", event_col="churn", strata_col="contract")
        assert sv.events.tolist() == ref.tolist(), labels
    assert sv.event_map == {}  # numbers need no map
    t["churn"] = np.where(ref == 1, "是", "否")
    t.to_csv(tmp_path / "c.csv", index=False)
    sv = steps.open_survival(tmp_path / "c.csv", duration_col="tenure", event_col="churn", strata_col="contract")
    assert sv.event_map == {"否": 0, "是": 1} or sv.event_map == {"是": 1, "否": 0}
    assert sv.whole_periods and sv.record()["churned"] == int(ref.sum())
    t["churn"] = np.where(ref == 1, "流失", "在网")
    t.to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(DataError, match=r"c.csv: event column 'churn' holds labels that are neither.*name them with the "
                                        r"parameters event_values and censor_values"):
        steps.open_survival(tmp_path / "c.csv", duration_col="tenure", event_col="churn", strata_col="contract")
    sv = steps.open_survival(tmp_path / "c.csv", duration_col="tenure", event_col="churn", strata_col="contract",
                             event_values=["流失"], censor_values=["在网"])
    assert sv.events.tolist() == ref.tolist()


def test_bad_or_degenerate_churn_tables_are_named_as_such(tmp_path, telco):
    def write(df):
        df.to_csv(tmp_path / "churn.csv", index=False)
        return tmp_path / "churn.csv"

    args = dict(duration_col="tenure", event_col="churn", strata_col="contract")
    t = telco.iloc[:300].copy()
    bad = t.astype({"tenure": object})
    bad.loc[[1, 5], "tenure"] = "unknown"
    with pytest.raises(DataError, match=r"churn.csv: column 'tenure' \(parameter duration_col\) is empty or not a "
                                        r"number at rows 3, 7 \(values \['unknown', 'unknown'\]\)"):
        steps.open_survival(write(bad), **args)
    bad = t.copy()
    bad.loc[0, "tenure"] = -3
    with pytest.raises(DataError, match=r"'tenure' \(parameter duration_col\) is negative at row 2"):
        steps.open_survival(write(bad), **args)
    with pytest.raises(DataError, match="no customer churned.*nothing|no time to churn to estimate"):
        steps.open_survival(write(t.assign(churn="No")), **args)
    with pytest.raises(DataError, match="too few customers for a time-to-churn analysis: 12"):
        steps.open_survival(write(t.iloc[:12]), **args)
    with pytest.raises(DataError, match=r"'contract' \(parameter strata_col\) holds the single group 'Two year'"):
        steps.open_survival(write(t.assign(contract="Two year")), **args)
    with pytest.raises(DataError, match=r"'monthly_charges' \(parameter strata_col\) has \d+ groups"):
        steps.open_survival(write(t), **{**args, "strata_col": "monthly_charges"})
    with pytest.raises(DataError, match=r"parameter 'cox_covariates' names column 'age'"):
        steps.open_survival(write(t), **args, columns={"cox_covariates": ["age"]})


# ------------------------------------------------------------------ the run's parts, codebook and introduction
def test_parts_either_table_alone_codebook_and_time_unit(telco):
    with pytest.raises(ParameterError, match="'experiment' and 'survival_data' are both None"):
        steps.open_parts()
    p = steps.open_parts(survival_data=str(TELCO), duration_col="tenure", event_col="churn", strata_col="contract")
    assert p.exp is None and p.surv is not None and p.time_unit == "months" and p.codebook.currency == "USD"
    assert p.record()["experiment"] is None and p.record()["survival"]["churned"] == int((telco.churn == "Yes").sum())
    assert steps.time_unit_of("weeks", p.codebook, "tenure") == "weeks"
    assert steps.time_unit_of(None, None, "tenure") is None
    with pytest.raises(ParameterError, match="'time_unit' must be one of"):
        steps.time_unit_of("fortnights", None, "tenure")
    both = steps.merged_codebook(None, [HILLSTROM, TELCO])
    assert {"segment", "visit", "tenure", "contract"} <= set(both.columns) and both.currency == "USD"
    assert both.columns["tenure"].unit == "months" and both.columns["spend"].unit == "money"


def test_introduction_describes_the_bundled_tables_only_when_they_are_used(coupon):
    path, _ = coupon
    bundled = steps.open_parts(experiment=str(HILLSTROM), arm_col="segment", control="No E-Mail",
                               outcomes=["visit", "spend"], binary_outcomes=["visit"], survival_data=str(TELCO),
                               duration_col="tenure", event_col="churn", strata_col="contract")
    use_codebook(bundled.codebook.terms())
    text.use_data(bundled.codebook, bundled.time_unit, control="No E-Mail")
    v = s.intro_values(bundled)
    assert "Kevin Hillstrom's e-mail experiment (64,000 customers" in v["data"]
    assert "IBM telco customer churn sample (7,043 customers)" in v["data"]
    assert "Churned: Yes → 1, No → 0" in v["data"]
    assert "For the experiment:" in v["steps"] and "For the churn table:" in v["steps"]
    own = steps.open_parts(experiment=str(path), sheet="券实验", arm_col="组别", control=0,
                           outcomes=["是否到访", "消费金额"], binary_outcomes=["是否到访"])
    use_codebook(None)
    text.use_data(None, None, control="0")
    v = s.intro_values(own)
    assert "Hillstrom" not in v["data"] and "telco" not in v["data"]
    assert v["data"].startswith("**The experiment**: coupon.xlsx, 3,000 customers in 2 arms (arm 1; control: 0); "
                                "outcomes 是否到访 and 消费金额. Answers read as yes (1) and no (0): 是否到访: 是 → 1, 否 → 0.")
    assert "No churn table was given (parameter `survival_data` is None)" in v["data"]
    assert "For the churn table" not in v["steps"]
    with use_lang("zh"):
        v = s.intro_values(own)
        assert v["data"].startswith("**实验**：coupon.xlsx，3,000 位客户，共 2 组（实验组 1；对照组：0）；结果变量："
                                    "是否到访和消费金额。按“是”（1）和“否”（0）读取的答案：是否到访：是 → 1，否 → 0。")
        assert "未提供流失表（参数 `survival_data` 为 None）" in v["data"]
        assert s.parts_note(own) == "本次运行没有流失表，只包括客户保留实验部分。"
    assert s.parts_note(bundled) == ""


def test_variables_appendix_lists_codes_roles_labels_and_units():
    p = steps.open_parts(survival_data=str(TELCO), duration_col="tenure", event_col="churn", strata_col="contract")
    use_codebook(p.codebook.terms())
    used = s.used_columns(p, cox_covariates=["contract", "monthly_charges"], value_col="monthly_charges")
    v = steps.variables_table(p, used)
    assert v["variable"].tolist() == ["tenure", "churn", "contract", "monthly_charges"]  # each column once
    assert v.set_index("variable").loc["tenure", ["label_en", "label_zh", "unit"]].tolist() == ["Tenure", "在网时长",
                                                                                                 "months"]
    from tests.test_study_retention import plain

    shown = plain(tables.variables(v))
    assert list(shown.columns) == ["code", "table", "role", "label (English)", "label (Chinese)", "unit"]
    assert shown.iloc[0].tolist() == ["tenure", "churn table", "time as a customer", "Tenure", "在网时长", "months"]
    with use_lang("zh"):
        zh = tables.variables(v)
        assert zh.iloc[3].tolist() == ["monthly_charges", "流失表", "Cox 与 AFT 协变量", "Monthly charges", "月费", "金额"]
