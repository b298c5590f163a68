"""Bundled datasets: checksums, loaders, and the errors bad files give."""
import hashlib
import re

import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import DataError
from tests.conftest import ROOT


def _provenance_hashes():
    text = (ROOT / "data" / "PROVENANCE.md").read_text(encoding="utf-8")
    return dict(re.findall(r"\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|", text))


def test_every_bundled_file_matches_its_provenance_checksum():
    hashes = _provenance_hashes()
    assert len(hashes) == 6
    for rel, digest in hashes.items():
        assert hashlib.sha256((ROOT / "data" / rel).read_bytes()).hexdigest() == digest, rel


def test_loaders_match_the_published_sizes():
    # sizes from data/PROVENANCE.md (the sources' own documentation)
    assert datasets.load_ecsi().shape == (250, 28)
    assert datasets.load_customer_sat().shape == (1811, 10)
    sample = datasets.load_cdnow_sample()
    assert len(sample) == 6919 and sample["customer_id"].nunique() == 2357
    master = datasets.load_cdnow_master()
    assert len(master) == 69659 and master["customer_id"].nunique() == 23570
    hill = datasets.load_hillstrom()
    assert len(hill) == 64000 and set(hill["segment"]) == set(datasets.HILLSTROM_ARMS)
    telco = datasets.load_telco_churn()
    assert len(telco) == 7043 and telco["total_charges"].isna().sum() == 11


def test_loader_types():
    sample = datasets.load_cdnow_sample()
    assert str(sample["date"].dtype) == "datetime64[ns]"
    assert sample["date"].min() == pd.Timestamp("1997-01-01")
    assert sample["amount"].dtype == float
    ecsi = datasets.load_ecsi()
    assert ecsi["gender"].dtype == "category"
    assert ecsi[datasets.ECSI_ITEMS].dtypes.eq("int64").all()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="nosuch.csv.*not found"):
        datasets.load_customer_sat(tmp_path / "nosuch.csv")


def _write_customer_sat(path, df, **kw):
    df.to_csv(path, index=False, **kw)
    return path


def test_utf8_bom_semicolon_and_gbk_files_are_read(tmp_path):
    df = datasets.load_customer_sat().head(20)
    bom = _write_customer_sat(tmp_path / "bom.csv", df, encoding="utf-8-sig", sep=";")
    pd.testing.assert_frame_equal(datasets.load_customer_sat(bom), df)
    gbk = df.assign(城市=["北京"] * 10 + ["上海"] * 10)
    gbk_path = _write_customer_sat(tmp_path / "gbk.csv", gbk, encoding="gbk", sep="\t")
    back = datasets.read_table(gbk_path)
    assert list(back["城市"].unique()) == ["北京", "上海"]
    pd.testing.assert_frame_equal(datasets.load_customer_sat(gbk_path)[df.columns], df)


def test_out_of_range_values_name_file_column_and_rows(tmp_path):
    df = datasets.load_customer_sat().head(10).copy()
    df.loc[[2, 7], "q4"] = [11, 0]
    path = _write_customer_sat(tmp_path / "bad.csv", df)
    with pytest.raises(DataError) as err:
        datasets.load_customer_sat(path)
    msg = str(err.value)
    assert "bad.csv" in msg and "'q4'" in msg and "[3, 8]" in msg and "11" in msg


def test_non_numeric_answers_name_column_and_rows(tmp_path):
    df = datasets.load_customer_sat().head(10).astype(object)
    df.loc[4, "q2"] = "very good"
    path = _write_customer_sat(tmp_path / "text.csv", df)
    with pytest.raises(DataError, match=r"text.csv.*'q2'.*'very good'.*\[5\]"):
        datasets.load_customer_sat(path)


def test_missing_column_lists_what_the_file_has(tmp_path):
    df = datasets.load_customer_sat().head(5).drop(columns="q7")
    path = _write_customer_sat(tmp_path / "short.csv", df)
    with pytest.raises(DataError, match=r"missing column\(s\) \['q7'\].*'q6'"):
        datasets.load_customer_sat(path)


def test_unparseable_dates_are_reported(tmp_path):
    path = tmp_path / "cd.txt"
    path.write_text(" customer_id  date number_of_cds  dollar_value\n"
                    " 00001 19970101  1   11.77\n 00002 1997-13-45  1   12.00\n")
    with pytest.raises(DataError, match=r"cd.txt.*'date'.*1997-13-45.*\[2\]"):
        datasets.load_cdnow_master(path)  # rows are 1-based data rows: the bad date is the second


def test_undecodable_file_is_explained(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"q1\n\xff\xfe\xfa\x81\x30\x00\n")
    with pytest.raises(DataError, match="cannot decode|bin.csv"):
        datasets.read_table(path)


def test_empty_file_is_explained(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match="empty.csv: the file is empty"):
        datasets.read_table(path)


def test_parquet_is_read(tmp_path):
    df = datasets.load_customer_sat().head(30)
    path = tmp_path / "cs.parquet"
    df.to_parquet(path)
    pd.testing.assert_frame_equal(datasets.load_customer_sat(path), df)


def test_resolve_path_finds_bundled_files_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert datasets.resolve_path("data/ecsi/satisfaction.csv") == ROOT / "data/ecsi/satisfaction.csv"
    assert datasets.resolve_path("ecsi/satisfaction.csv") == ROOT / "data/ecsi/satisfaction.csv"
