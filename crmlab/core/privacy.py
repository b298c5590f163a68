"""Pseudonymous customer identifiers.

Raw identifiers (customer numbers, e-mails, phones) never reach a table,
figure or report: they are replaced by a keyed hash (HMAC-SHA256). The key
comes from the ``CRMLAB_PSEUDONYM_KEY`` environment variable or, failing
that, from the untracked file ``.crmlab_key`` at the project root (created
with a random key on first use). The key itself is never written to outputs.
The same key gives the same pseudonyms, so runs stay comparable.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets

import pandas as pd

from crmlab.core.paths import project_root

KEY_ENV = "CRMLAB_PSEUDONYM_KEY"
KEY_FILE = ".crmlab_key"


def _key() -> bytes:
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = project_root() / KEY_FILE
    if not path.exists():
        tmp = path.with_name(f"{KEY_FILE}.{os.getpid()}.tmp")
        tmp.write_text(secrets.token_hex(32), encoding="utf-8")
        try:
            os.link(tmp, path)  # atomic: the first writer wins, parallel runs agree
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def pseudonymize(ids, *, prefix: str = "c_", length: int = 12) -> pd.Series:
    """Replace identifiers by stable keyed-hash pseudonyms.

    Parameters
    ----------
    ids : array-like or Series
        Raw identifiers; any type, compared by their string form.
    prefix : str
        Prefix of every pseudonym.
    length : int
        Hex characters kept from the HMAC-SHA256 digest (12 -> 48 bits:
        collisions are negligible below millions of customers).

    Returns
    -------
    Series of strings, index kept when ``ids`` is a Series.

    Notes
    -----
    ``pseudonym = prefix + HMAC_SHA256(key, str(id))[:length]``. Without the
    key the mapping cannot be reversed or recomputed.
    """
    key = _key()
    s = ids if isinstance(ids, pd.Series) else pd.Series(list(ids))
    uniques = pd.unique(s.astype(str))
    table = {u: prefix + hmac.new(key, u.encode("utf-8"), hashlib.sha256).hexdigest()[:length] for u in uniques}
    return s.astype(str).map(table).rename(s.name)
