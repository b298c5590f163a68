"""Bad inputs and faults, table-driven (issue #11): every case is refused or handled with a message that names
the file, column, row, respondent or parameter at fault, never only a raw traceback, never a raw customer
identifier, and a complete earlier run in the same folder stays intact.

Two kinds of case:
- ``REFUSED``: refused before any kernel starts (``crmlab run`` exits 2 with the message on stderr);
- ``IN_STUDY``: found by the study itself once it reads the data. They run together in one ``crmlab run
  --studies`` (one entry per case, two at a time): the run exits 1, and each case's manifest and report
  carry its message, not a traceback.
Inputs are made in the test from the bundled data.
"""
from __future__ import annotations

import json
import re
import shutil
from html import unescape
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT, crmlab_cli, once_per_session

NB = ROOT / "notebooks"
SURVEY = ROOT / "data" / "customersat" / "customer_sat.csv"
ECSI = ROOT / "data" / "ecsi" / "satisfaction.csv"
CDNOW = ROOT / "data" / "cdnow" / "CDNOW_sample.txt"
HILLSTROM = ROOT / "data" / "hillstrom" / "hillstrom.csv"
TELCO = ROOT / "data" / "telco_churn" / "telco_churn.csv"
EMAIL = "alice.wang@example.com"


@dataclass
class Case:
    """One bad input: the target (study name or notebook), its parameters (values may be callables of the
    case folder, to build an input file there) and the fragments the message must hold."""

    id: str
    target: str
    params: dict = field(default_factory=dict)
    expect: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    code: int = 2
    build: Callable[[Path], dict] | None = None  # makes input files, returns more parameters


def _survey(tmp: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame], **to_csv) -> str:
    df = change(pd.read_csv(SURVEY))
    path = tmp / name
    if name.endswith(".xlsx"):
        df.to_excel(path, index=False)
    else:
        df.to_csv(path, index=False, **to_csv)
    return str(path)


def _copy(tmp: Path, src: Path, name: str | None = None) -> str:
    dest = tmp / (name or src.name)
    shutil.copy(src, dest)
    return str(dest)


# --- refused before any kernel starts: exit 2, message on stderr --------------------------------------------
REFUSED = [
    Case("unknown-parameter", "survey_regression", {"bootstrapp": 10}, ("unknown parameter 'bootstrapp'",
                                                                       "Valid parameters")),
    Case("lang-fr", "survey_regression", {"lang": "fr"}, ("parameter 'lang' expects one of 'en', 'zh', got fr",)),
    Case("bootstrap-negative", "satisfaction_loyalty", {"bootstrap": -5}, ("parameter 'bootstrap'", ">= 2")),
    Case("max-plots-negative", "data_overview", {"max_plots": -5}, ("parameter 'max_plots' expects a number >= 0",)),
    Case("unknown-dataset", "data_overview", {"datasets": "[ecsi, nosuch]"}, ("parameter 'datasets'", "'ecsi'")),
    Case("straightliners-choice", "survey_regression", {"straightliners": "drop"},
         ("parameter 'straightliners' expects one of 'flag', 'exclude', got drop",)),
    Case("duplicates-old-value", "survey_regression", {"duplicates": "row"}, ("parameter 'duplicates'", "'flag'")),
    Case("pls-method", "satisfaction_loyalty", {"pls_method": "cbsem"}, ("parameter 'pls_method'", "'plsc'")),
    Case("data-missing", "survey_regression", {"data": "exports/nosuch.csv"},
         ("parameter 'data': data file 'exports/nosuch.csv' not found", "-p data=")),
    Case("codebook-missing", "survey_regression", {"codebook": "nosuch.yaml"}, ("parameter 'codebook'", "not found")),
    Case("outcome-not-a-column", "survey_regression", {"outcome": "overall"},
         ("parameter 'outcome': column 'overall' is not in the header of", "its columns: q1, q2")),
    Case("drivers-not-columns", "survey_regression", {"drivers": "[q2, price, service]"},
         ("parameter 'drivers': columns ['price', 'service'] are not in the header",)),
    Case("new-data-old-columns", "survey_regression", {},
         ("parameter 'outcome': column 'q1' is not in the header of", "总体满意度"),
         build=lambda tmp: {"data": _survey(tmp, "平台导出.csv", lambda d: d.rename(
             columns={f"q{i}": ("总体满意度" if i == 1 else f"属性{i}") for i in range(1, 11)}), encoding="gbk")}),
    Case("excel-sheet-missing", "survey_regression", {"sheet": "答卷"}, ("no sheet named '答卷'", "parameter 'sheet'"),
         build=lambda tmp: {"data": _survey(tmp, "export.xlsx", lambda d: d)}),
    Case("group-not-a-column", "satisfaction_loyalty", {"group": "region"},
         ("parameter 'group': column 'region' is not in the header",)),
    Case("weights-not-a-column", "satisfaction_loyalty", {"weights": "w"}, ("parameter 'weights'", "column 'w'")),
    Case("model-syntax", "satisfaction_loyalty", {"model": "SAT =~ sat1 + sat2\nLOY sat3"},
         ("parameter 'model': model line 2: expected '=~', '<~' or '~'",)),
    Case("model-bad-name", "satisfaction_loyalty", {"model": "SAT =~ sat1 + 推荐意愿(0-10)"},
         ("parameter 'model'", "not a valid name", "backticks")),
    Case("model-unknown-construct", "satisfaction_loyalty", {"model": "SAT =~ sat1 + sat2\nLOY ~ SAT"},
         ("construct 'LOY' is used in a path but has no '=~' definition",)),
    Case("cvpat-model-syntax", "satisfaction_loyalty", {"cvpat_model": "SAT sat1"}, ("parameter 'cvpat_model'",)),
    Case("malformed-params-file", "survey_regression", {}, ("bad.yaml: line 3, column 5: not valid YAML",),
         build=lambda tmp: {"--params": _write(tmp / "bad.yaml", "lang: zh\nbootstrap: [1, 2\nseed: 3\n")}),
    Case("params-section-unknown-study", "survey_regression", {}, ("section(s) ['survey_regresion'] name no study",),
         build=lambda tmp: {"--params": _write(tmp / "monthly.yaml", "survey_regresion:\n  bootstrap: 100\n")}),
    Case("unknown-study", "survey_regresion", {}, ("no notebook or study named 'survey_regresion'",
                                                 "studies: data_overview")),
    Case("p-without-equals", "survey_regression", {}, ("-p expects NAME=VALUE",), args=("-p", "bootstrap")),
    Case("out-is-a-file", "survey_regression", {}, ("existing file, not a folder",),
         build=lambda tmp: {"--out": _write(tmp / "report.pdf", "not a folder")}),
    Case("out-unwritable", "survey_regression", {}, ("cannot write in /sys",), build=lambda tmp: {"--out": "/sys/x"}),
    # study 3: segmentation and CLV
    Case("clv-log-missing", "segmentation_clv", {"transactions": "exports/orders.csv"},
         ("parameter 'transactions'", "'exports/orders.csv' not found")),
    Case("clv-holdout-before-calibration", "segmentation_clv",
         {"calibration_end": "1997-09-30", "holdout_end": "1997-06-30"}, ("parameter 'holdout_end'", "calibration_end")),
    Case("clv-date-not-a-date", "segmentation_clv", {"calibration_end": "1997-13-45"}, ("parameter 'calibration_end'",)),
    Case("clv-discount-rate-percent", "segmentation_clv", {"discount_rate": 10},
         ("parameter 'discount_rate' expects a number from 0 to 1, got 10",)),
    Case("clv-engine-choice", "segmentation_clv", {"engine": "polars"}, ("parameter 'engine' expects one of",)),
    Case("clv-horizon-zero", "segmentation_clv", {"horizon": 0}, ("parameter 'horizon'", ">= 1")),
    Case("clv-assignment-arm-not-a-column", "segmentation_clv", {"assignment_arm_col": "group"},
         ("parameter 'assignment_arm_col': column 'group' is not in the header",),
         build=lambda tmp: {"assignment": _write(tmp / "assign.csv", "customer_id,arm\n1,coupon\n2,control\n")}),
    Case("clv-customers-missing", "segmentation_clv", {"customers": "crm/customers.xlsx", "covariates": "[gender]"},
         ("parameter 'customers'", "not found")),
    # study 4: retention experiments and churn
    Case("experiment-arm-not-a-column", "retention_experiments", {"arm_col": "treatment"},
         ("parameter 'arm_col': column 'treatment' is not in the header",)),
    Case("experiment-outcomes-not-columns", "retention_experiments", {"outcomes": "[visit, revenue]"},
         ("parameter 'outcomes'", "'revenue'")),
    Case("experiment-alpha-percent", "retention_experiments", {"alpha": 5}, ("parameter 'alpha' expects a number from 0 to 1, got 5",)),
    Case("experiment-learner-choice", "retention_experiments", {"uplift_learner": "s"},
         ("parameter 'uplift_learner' expects one of",)),
    Case("churn-duration-not-a-column", "retention_experiments", {"duration_col": "months"},
         ("parameter 'duration_col': column 'months' is not in the header",)),
    Case("churn-file-missing", "retention_experiments", {"survival_data": "crm/流失.xlsx"},
         ("parameter 'survival_data'", "not found")),
    Case("churn-new-table-old-columns", "retention_experiments", {},
         ("parameter 'duration_col': column 'tenure' is not in the header", "在网月数"),
         build=lambda tmp: {"survival_data": _table(tmp, TELCO, "流失.csv", lambda d: d.rename(
             columns={"tenure": "在网月数", "churn": "是否流失"}))}),
]


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _log(tmp: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame] = lambda d: d) -> str:
    """The CDNOW sample as a shop's CSV export (customer_id, date as ISO text, amount), changed."""
    from crmlab.core.datasets import load_cdnow_sample

    d = load_cdnow_sample()[["customer_id", "date", "amount"]]
    df = change(d.assign(date=d["date"].dt.strftime("%Y-%m-%d")).reset_index(drop=True))
    path = tmp / name
    df.to_csv(path, index=False)
    return str(path)


def _table(tmp: Path, src: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame] = lambda d: d) -> str:
    df = change(pd.read_csv(src))
    path = tmp / name
    if name.endswith(".xlsx"):
        df.to_excel(path, index=False)
    else:
        df.to_csv(path, index=False)
    return str(path)


def _complete_run(folder: Path) -> dict[str, bytes]:
    """A complete earlier run in ``folder`` (what a monthly cron line reuses); returns its files."""
    (folder / "survey").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"status": "ok"}')
    (folder / "survey" / "results.json").write_text('{"drivers": {"r2": 0.7}}')
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _cli_in_process(args: list[str], capsys, monkeypatch) -> tuple[int, str]:
    """``crmlab <args>`` in this process (validation starts no kernel): the exit code and stderr."""
    from crmlab.run.cli import main

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CRMLAB_OUTPUT_DIR", raising=False)
    capsys.readouterr()
    try:
        code = main(args)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("case", REFUSED, ids=[c.id for c in REFUSED])
def test_refused_before_any_kernel_with_a_message_naming_the_fault(case: Case, tmp_path, capsys, monkeypatch):
    prior = tmp_path / "2026-11"
    before = _complete_run(prior)
    extra = case.build(tmp_path) if case.build else {}
    out = extra.pop("--out", str(prior))
    args = ["run", case.target, "--out", out, "--no-progress", *case.args]
    if "--params" in extra:
        args += ["--params", extra.pop("--params")]
    for k, v in {**case.params, **extra}.items():
        args += ["-p", f"{k}={v}"]
    code, err = _cli_in_process(args, capsys, monkeypatch)
    assert code == case.code, err
    for fragment in case.expect:
        assert fragment in err, (fragment, err)
    assert "Traceback" not in err
    assert {str(p.relative_to(prior)): p.read_bytes() for p in prior.rglob("*") if p.is_file()} == before
    assert not list(tmp_path.glob(".*partial*")) and not list(tmp_path.glob("2026-11.*"))


def test_the_installed_command_refuses_like_the_function(tmp_path):
    """The ``crmlab`` entry point gives the same exit code and message as :func:`crmlab.run.cli.main`."""
    proc = crmlab_cli("run", "survey_regression", "--out", str(tmp_path / "x"), "-p", "lang=fr", timeout=120)
    assert proc.returncode == 2 and "parameter 'lang' expects one of 'en', 'zh', got fr" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_there_are_many_cases():
    assert len(REFUSED) + len(IN_STUDY) >= 60


# --- found by the study once it reads the data: one run, every case a study entry -----------------------------
def _to_five(d: pd.DataFrame) -> pd.DataFrame:
    items = [f"q{i}" for i in range(1, 11)]
    return d.assign(**{c: ((d[c] - 1) // 2 + 1).clip(1, 5) for c in items})


def _ecsi(tmp: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> str:
    df = change(pd.read_csv(ECSI, index_col=0))
    path = tmp / name
    df.to_csv(path, index=False)
    return str(path)


def _set(column: str, rows: list[int], value) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(d: pd.DataFrame) -> pd.DataFrame:
        d = d.copy()
        d[column] = d[column].astype(object)
        d.loc[d.index[rows], column] = value
        return d
    return change


IN_STUDY: list[Case] = [
    # study 2: survey regression
    Case("survey-1-5-declared-1-10", "survey_regression", {"scale_min": 1, "scale_max": 10},
         ("in the lower half of its declared scale",), code=0,
         build=lambda tmp: {"data": _survey(tmp, "five_point.csv", _to_five), "codebook": _write(
             tmp / "empty.yaml", "columns: {}\n")}),
    Case("survey-too-few", "survey_regression", {}, ("too few respondents for 9 drivers", "tiny.csv"),
         build=lambda tmp: {"data": _survey(tmp, "tiny.csv", lambda d: d.head(5))}),
    Case("survey-99-codes", "survey_regression", {}, ("q3", "99", "file rows 2, 6", "missing_codes"),
         build=lambda tmp: {"data": _survey(tmp, "codes.csv", _set("q3", list(range(0, 400, 4)), 99))}),
    Case("survey-text-answers", "survey_regression", {}, ("q4", "text"),
         build=lambda tmp: {"data": _survey(tmp, "text.csv", _set("q4", list(range(0, 300, 3)), "很好"))}),
    Case("survey-bad-duration", "survey_regression", {"duration_column": "用时"}, ("用时", "not durations", "rows"),
         build=lambda tmp: {"data": _survey(tmp, "dur.csv", lambda d: d.assign(用时=["2分10秒"] * (len(d) - 1) + ["很快"]))}),
    Case("survey-outcome-constant", "survey_regression", {}, ("const.csv", "outcome 'q1' (parameter 'outcome')",
                                                             "same answer (5)"),
         build=lambda tmp: {"data": _survey(tmp, "const.csv", lambda d: d.assign(q1=5))}),
    # study 1: satisfaction and loyalty
    Case("loyalty-99-codes", "satisfaction_loyalty", {"codebook": None}, ("missing_codes",),
         build=lambda tmp: {"data": _ecsi(tmp, "codes.csv", _set("sat1", list(range(0, 40, 2)), 99)),
                            "codebook": _write(tmp / "empty.yaml", "columns: {}\n")}),
    Case("loyalty-too-few", "satisfaction_loyalty", {}, ("too few respondents for this model", "tiny.csv"),
         build=lambda tmp: {"data": _ecsi(tmp, "tiny.csv", lambda d: d.head(5))}),
    Case("loyalty-constant-item", "satisfaction_loyalty", {}, ("imag2",),
         build=lambda tmp: {"data": _ecsi(tmp, "const.csv", lambda d: d.assign(imag2=7))}),
    Case("loyalty-one-group", "satisfaction_loyalty", {}, ("gender",), code=0,
         build=lambda tmp: {"data": _ecsi(tmp, "onegroup.csv", lambda d: d.assign(gender="female"))}),
    Case("loyalty-cutoff-off-scale", "satisfaction_loyalty", {"completely_min": 12}, ("completely_min",)),
    # study 3: segmentation and CLV
    Case("clv-amounts-unparseable", "segmentation_clv", {}, ("orders.csv", "column 'amount' (rows 2, 12)", "'about 20'", "parameter amount_col"),
         build=lambda tmp: {"transactions": _log(tmp, "orders.csv", _set("amount", [0, 10], "about 20"))}),
    Case("clv-calibration-after-log", "segmentation_clv", {"calibration_end": "1998-07-31", "holdout_end": "1998-12-31"},
         ("calibration_end (1998-07-31) is on or after the last transaction", "orders.csv"),
         build=lambda tmp: {"transactions": _log(tmp, "orders.csv")}),
    Case("clv-empty-log", "segmentation_clv", {}, ("no transactions", "empty.csv"),
         build=lambda tmp: {"transactions": _write(tmp / "empty.csv", "customer_id,date,amount\n")}),
    Case("clv-one-day", "segmentation_clv", {}, ("one.csv", "run from 1997-01-01 to 1997-01-01", "holdout_end=None"),
         build=lambda tmp: {"transactions": _log(tmp, "one.csv", lambda d: d[d["customer_id"] == 4])}),
    Case("clv-one-customer", "segmentation_clv", {"holdout_end": None}, ("one.csv", "only one customer made a purchase"),
         build=lambda tmp: {"transactions": _log(tmp, "one.csv", lambda d: d[d["customer_id"] == 1])}),
    Case("clv-bad-dates", "segmentation_clv", {}, ("'date'", "soon", "date_format"),
         build=lambda tmp: {"transactions": _log(tmp, "orders.csv", _set("date", [3, 5], "soon"))}),
    Case("clv-customer-column", "segmentation_clv", {"customer_col": "buyer"}, ("'buyer'", "customer_col"),
         build=lambda tmp: {"transactions": _log(tmp, "orders.csv")}),
    # study 4: retention experiments and churn
    Case("experiment-control-absent", "retention_experiments", {"control": "Control"},
         ("control", "'Control'", "No E-Mail")),
    Case("experiment-outcome-answers", "retention_experiments", {}, ("conversion", "不清楚", "outcome_values"),
         build=lambda tmp: {"experiment": _table(tmp, HILLSTROM, "coupon.csv", lambda d: _set(
             "conversion", [4, 9], "不清楚")(d.assign(conversion=d["conversion"].map({1: "是", 0: "否"}))))}),
    Case("churn-negative-durations", "retention_experiments", {"id_col": "email"}, ("tenure", "negative", "rows"),
         build=lambda tmp: {"survival_data": _table(tmp, TELCO, "churn.csv", lambda d: _set("tenure", [2, 5], -3)(
             d.assign(email=[EMAIL if i in (2, 5) else f"c{i}@example.com" for i in range(len(d))])))}),
    Case("churn-unknown-event-values", "retention_experiments", {}, ("churn", "Maybe", "event_values"),
         build=lambda tmp: {"survival_data": _table(tmp, TELCO, "churn.csv", _set("churn", [1, 8], "Maybe"))}),
]


@pytest.fixture(scope="module")
def study_run(tmp_path_factory):
    """Every IN_STUDY case as one entry of a studies file, run by one ``crmlab run`` (quick parameters), once
    per test run."""
    return once_per_session(tmp_path_factory, "bad_inputs", _run_cases)


def _run_cases(base: Path):
    studies = {s["name"]: s for s in yaml.safe_load((NB / "studies.yaml").read_text(encoding="utf-8"))["studies"]}
    entries = []
    for case in IN_STUDY:
        folder = base / case.id
        folder.mkdir()
        params = {**studies[case.target].get("quick", {}), **case.params,
                  **(case.build(folder) if case.build else {})}
        entries.append({"name": case.id, "notebook": str(NB / studies[case.target]["notebook"]),
                        "parameters": params})
    spec = base / "cases.yaml"
    spec.write_text(yaml.safe_dump({"studies": entries}, allow_unicode=True), encoding="utf-8")
    out = base / "run"
    proc = crmlab_cli("run", "--studies", str(spec), "--out", str(out), "--jobs", "2", "--no-progress",
                      "--no-input", timeout=1800)
    manifest = json.loads((out / "manifest.json").read_text())
    # a notebook run for several entries writes to <notebook-stem>-<entry name>/
    return out, proc, {c.id: n for c in IN_STUDY for n in manifest["notebooks"] if n["name"].endswith("-" + c.id)}


@pytest.mark.slow
@pytest.mark.xdist_group("bad_inputs")  # one worker runs the shared study run once
@pytest.mark.parametrize("case", IN_STUDY, ids=[c.id for c in IN_STUDY])
def test_found_in_the_study_and_explained_without_a_traceback(case: Case, study_run):
    out, proc, by_name = study_run
    entry = by_name[case.id]
    text = json.dumps(entry, ensure_ascii=False)
    assert proc.returncode == 1
    if case.code == 0:  # handled: the study ran and its report says what it did
        assert entry["status"] == "ok", entry["error"]
        folder = out / entry["name"]
        shown = unescape(next(folder.glob("*.html")).read_text(encoding="utf-8")) + "".join(
            p.read_text(encoding="utf-8") for p in folder.glob("tables/*.csv"))
        for fragment in case.expect:
            assert fragment in shown, fragment
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".json", ".ipynb", ".csv"):
                assert EMAIL not in path.read_text(encoding="utf-8", errors="ignore"), path
        return
    assert entry["status"] == "failed" and entry["error"]["ename"] in ("DataError", "ParameterError",
                                                                       "ConvergenceError"), entry["error"]
    for fragment in case.expect:
        assert fragment in entry["error"]["evalue"], (fragment, entry["error"]["evalue"])
    html = next((out / entry["name"]).glob("*.html")).read_text(encoding="utf-8")
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html)))
    assert "Traceback" not in html and entry["error"]["evalue"][:40] in shown  # the message, not code
    for path in [out / "index.html", out / "manifest.json", *(out / entry["name"]).rglob("*")]:
        if path.is_file() and path.suffix in (".html", ".json", ".ipynb", ".csv"):
            assert EMAIL not in path.read_text(encoding="utf-8", errors="ignore"), path
    assert EMAIL not in text
