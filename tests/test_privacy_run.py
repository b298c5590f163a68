"""No raw identifier reaches any output of a run.

E-mail addresses, phone numbers and raw customer ids are planted in a synthetic input;
the study runs on it by changing only parameters; then every file the run wrote
(executed notebook, HTML, tables, results, manifest, index) is searched for them.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from crmlab.core import datasets
from tests.conftest import crmlab_cli

PLANTED = re.compile(r"planted\.user\d+@example\.org|CUST-\d{6}-Q|\+86 138 \d{4} \d{4}")


def _plant(df):
    df = df.copy()
    n = len(df)
    df.insert(0, "customer_id", [f"CUST-{i:06d}-Q" for i in range(n)])
    df["email"] = [f"planted.user{i}@example.org" for i in range(n)]
    df["phone"] = [f"+86 138 {i:04d} {(i * 7919) % 10000:04d}" for i in range(n)]
    return df


def _leaks(out: Path) -> dict[str, list[str]]:
    found = {}
    for path in out.rglob("*"):
        if path.is_file():
            hits = PLANTED.findall(path.read_bytes().decode("utf-8", errors="ignore"))
            if hits:
                found[str(path.relative_to(out))] = sorted(set(hits))[:3]
    return found


@pytest.fixture(scope="module")
def churn_with_identifiers(tmp_path_factory):
    path = tmp_path_factory.mktemp("pii") / "churn_pii.csv"
    _plant(datasets.load_telco_churn().head(1500)).to_csv(path, index=False)
    return path


def test_retention_study_shows_no_raw_identifier(churn_with_identifiers, tmp_path):
    out = tmp_path / "run"
    proc = crmlab_cli("run", "retention_experiments", "--quick", "-p", f"survival_data={churn_with_identifiers}",
                      "-p", "id_col=customer_id", "--out", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".csv" for p in files)
    assert _leaks(out) == {}
    # the early-warning list is there, under pseudonyms
    risk = next(out.rglob("churn_risk_value_top.csv")).read_text()
    assert re.search(r"^c_[0-9a-f]{12},", risk, flags=re.M)


def test_segmentation_study_shows_no_raw_identifier(tmp_path):
    """Customer ids that ARE e-mail addresses, plus a phone column, in a transaction log."""
    log = datasets.load_cdnow_sample()
    ids = {c: i for i, c in enumerate(sorted(log["customer_id"].unique()))}
    planted = _plant(log.drop(columns=["customer_id", "master_id"]))
    planted["customer_id"] = [f"planted.user{ids[c]}@example.org" for c in log["customer_id"]]
    planted["date"] = planted["date"].dt.strftime("%d/%m/%Y")
    path = tmp_path / "orders.csv"
    planted.to_csv(path, index=False)
    out = tmp_path / "run"
    proc = crmlab_cli("run", "segmentation_clv", "--quick", "-p", f"transactions={path}", "-p", "date_format=%d/%m/%Y",
                      "--out", str(out), "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _leaks(out) == {}
    results = next(out.rglob("results.json")).read_text()
    assert '"customers": 2357' in results  # the study really ran on the planted log
