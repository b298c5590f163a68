"""One way to write every number a reader sees.

- :func:`fmt_num`: significant digits, thousands separated; integers as they are.
- :func:`fmt_ci`: an estimate with its interval, ``0.42 [0.31, 0.53]``.
- :func:`fmt_p`: p-values, ``< 0.001`` below 0.001.
- :func:`fmt_money`: an amount with its currency, ``$72,439`` / ``72,439 美元``.
- :func:`format_table`: a display copy of a table with those rules applied.
"""
from __future__ import annotations

import math

import pandas as pd


def _decimals(x: float, sig: int) -> int:
    if x == 0 or not math.isfinite(x):
        return 0
    return max(0, sig - 1 - math.floor(math.log10(abs(x))))


def fmt_num(x, sig: int = 3) -> str:
    """A number with ``sig`` significant digits, thousands separated; integers as they are.

    >>> fmt_num(0.123456), fmt_num(12345.678), fmt_num(7), fmt_num(None)
    ('0.123', '12,346', '7', '-')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") in "iu"):
        return f"{int(x):,}"
    x = float(x)
    if not math.isfinite(x):
        return "∞" if x > 0 else "-∞"
    if x.is_integer() and abs(x) < 1e15:  # 3.0 and 10.0 read as counts, like 3 and 10
        return f"{int(x):,}"
    return f"{x:,.{_decimals(x, sig)}f}"


def fmt_ci(estimate, low, high, sig: int = 2) -> str:
    """An estimate with its interval, all three at the precision the interval supports.

    The number of decimals gives the interval's width ``sig`` significant digits
    (at least those needed for the estimate's own first digit).

    >>> fmt_ci(0.4213, 0.3087, 0.5321)
    '0.42 [0.31, 0.53]'
    """
    vals = [estimate, low, high]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in vals):
        return fmt_num(estimate)
    width = abs(float(high) - float(low))
    d = _decimals(width, sig) if width > 0 else _decimals(float(estimate), 3)
    return f"{float(estimate):,.{d}f} [{float(low):,.{d}f}, {float(high):,.{d}f}]"


def fmt_p(p, lang: str = "en") -> str:
    """A p-value: ``< 0.001`` below 0.001, three decimals below 0.1, two above.

    >>> fmt_p(0.00002), fmt_p(0.0234), fmt_p(0.51)
    ('< 0.001', '0.023', '0.51')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "-"
    if isinstance(p, str):  # formatted already
        return p
    p = float(p)
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def format_table(df: pd.DataFrame, sig: int = 3, p_columns=("p", "p_value", "p_holm", "pvalue")) -> pd.DataFrame:
    """A display copy of ``df``: numbers as readable strings, p-value columns with :func:`fmt_p`."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if col in p_columns:
            out[col] = s.map(fmt_p)
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[col] = s.map(lambda v: fmt_num(v, sig))
        elif s.dtype == object:
            out[col] = s.map(lambda v: "-" if v is None or (isinstance(v, float) and math.isnan(v))
                             else fmt_num(v, sig) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
    return out


#: currency code -> (symbol shown before the amount in English, word shown after it in Chinese)
CURRENCIES = {
    "USD": ("$", "美元"), "CNY": ("¥", "元"), "RMB": ("¥", "元"), "EUR": ("€", "欧元"), "GBP": ("£", "英镑"),
    "JPY": ("JP¥", "日元"), "HKD": ("HK$", "港元"), "TWD": ("NT$", "新台币"), "SGD": ("S$", "新加坡元"),
    "KRW": ("₩", "韩元"),
}
_money = {"currency": None}


def use_currency(code: str | None) -> None:
    """The currency of the study's money figures (an ISO code such as ``USD`` or ``CNY``; None: no unit)."""
    _money["currency"] = code.upper() if isinstance(code, str) and code.strip() else None


def currency_unit(lang: str | None = None) -> str:
    """How the current currency is named in a header or axis label: ``$`` / ``美元`` (empty when none)."""
    if lang is None:
        from crmlab.report.i18n import current_lang

        lang = current_lang()
    code = _money["currency"]
    if code is None:
        return ""
    symbol, word = CURRENCIES.get(code, (code + " ", code))
    return word if lang == "zh" else symbol.strip()


def fmt_money(x, sig: int = 3, *, lang: str | None = None, currency: str | None = None) -> str:
    """An amount with its currency: ``$72,439`` (English), ``72,439 美元`` (Chinese); ``-`` when missing.

    Amounts of 1,000 or more are whole; smaller ones keep ``sig`` significant digits (at most 2 decimals).

    >>> use_currency("USD"); fmt_money(72439.4), fmt_money(0.6712), fmt_money(-12.5, lang="zh")
    ('$72,439', '$0.67', '-12.50 美元')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = float(x)
    if abs(x) >= 1000:
        text = f"{abs(x):,.0f}"
    else:
        text = f"{abs(x):,.{min(2, max(2 if abs(x) < 100 else 0, _decimals(x, sig)))}f}"
    sign = "-" if x < 0 else ""
    if lang is None:
        from crmlab.report.i18n import current_lang

        lang = current_lang()
    code = (currency or _money["currency"] or "").upper() or None
    if code is None:
        return sign + text
    symbol, word = CURRENCIES.get(code, (code + " ", code))
    return f"{sign}{text} {word}" if lang == "zh" else f"{sign}{symbol}{text}"
