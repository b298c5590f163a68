"""Keyed pseudonyms for customer identifiers."""
import hashlib
import hmac

import pandas as pd

from crmlab.core.privacy import pseudonymize


def test_pseudonyms_are_keyed_hmac_sha256(monkeypatch):
    monkeypatch.setenv("CRMLAB_PSEUDONYM_KEY", "k1")
    out = pseudonymize(pd.Series([17, 17, "ann@example.com"], name="customer"))
    expected = "c_" + hmac.new(b"k1", b"17", hashlib.sha256).hexdigest()[:12]
    assert out.iloc[0] == expected and out.iloc[1] == expected
    assert out.name == "customer"
    assert "ann" not in out.iloc[2] and "17" != out.iloc[0]


def test_another_key_gives_other_pseudonyms(monkeypatch):
    monkeypatch.setenv("CRMLAB_PSEUDONYM_KEY", "k1")
    a = pseudonymize(["x", "y"])
    monkeypatch.setenv("CRMLAB_PSEUDONYM_KEY", "k2")
    b = pseudonymize(["x", "y"])
    assert not set(a) & set(b)
    assert a.str.len().eq(14).all()
