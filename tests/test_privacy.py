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


def test_error_messages_never_carry_e_mails_or_phone_numbers():
    from crmlab.core.errors import DataError, ParameterError, file_rows
    from crmlab.core.privacy import pseudonymize

    msg = str(DataError("duplicate customer_id 'alice@example.com' at rows 3, 9; phone 138 0013 8000"))
    assert "alice@example.com" not in msg and "138 0013 8000" not in msg
    assert pseudonymize(["alice@example.com"]).iloc[0] in msg
    kept = "calibration_end 1997-09-30 is after the last purchase; 1,234 rows; amount 12345.67; rows 3, 9"
    assert str(ParameterError(kept)) == kept  # dates, counts and amounts are not phone numbers
    assert file_rows([0, 5]) == "rows 2, 7" and file_rows([3]) == "row 5"
    assert file_rows(range(8)) == "rows 2, 3, 4, 5, 6 and 3 more"
