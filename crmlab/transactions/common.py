"""What every engine's customer summary shares: the summary object, time units, the rules for reading
amounts and dates as exported, and the errors for bad rows (file rows, no raw customer ids)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError

ENGINES = ("duckdb", "spark", "pandas")

#: time unit name -> days
TIME_UNITS = {"days": 1.0, "D": 1.0, "day": 1.0, "weeks": 7.0, "W": 7.0, "week": 7.0,
              "months": 365.25 / 12, "M": 365.25 / 12, "month": 365.25 / 12}

#: ``returns`` rules: net refunds against their purchase, drop them, or refuse them
RETURNS = ("net", "drop", "error")

#: order statuses that are not purchases (compared trimmed and case-insensitively) when a status column is given
EXCLUDE_STATUS = ("已退款", "退款成功", "交易关闭", "已取消", "refunded", "cancelled", "canceled")

_COLUMNS = ["frequency", "recency", "T", "monetary_value", "spend", "first_purchase", "last_purchase",
            "frequency_early", "frequency_late", "frequency_holdout", "spend_holdout", "duration_holdout"]

#: per-customer columns of the discrete-time (BG/BB) view, present when ``opportunity_days`` is given
BGBB_COLUMNS = ["bgbb_x", "bgbb_tx", "bgbb_n", "bgbb_x_holdout", "bgbb_n_holdout"]

#: the data-rules report, in the order the rules apply (every rule counted, zeros included)
REPORT_RULES = ["rows_read", "header_lines_dropped", "status_excluded", "after_holdout_dropped", "returns_dropped",
                "refund_rows_netted", "refunds_unmatched", "purchases_refunded", "zero_amount_rows",
                "duplicate_rows", "duplicates_dropped", "customers_first_after_calibration"]

# an amount as shop and CRM exports write it: a sign, a currency symbol or code, digits with thousands
# separators, decimals, a currency word; spaces (also no-break and ideographic) anywhere between
_SP = "[\\s\u00a0\u3000]*"
_CUR = "(?:[¥￥$€£]|RMB|CNY|USD|EUR|GBP|HK\\$|US\\$)"
_WORD = "(?:元|RMB|CNY|USD|EUR|GBP)"
_DIGITS = "(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\\.[0-9]*)?|\\.[0-9]+)"
#: the pattern a text amount must match (the same text in DuckDB's RE2, Spark's Java and Python's ``re``)
MONEY_PATTERN = f"^{_SP}(?:[-+]{_SP})?(?:{_CUR}{_SP})?(?:[-+]{_SP})?{_DIGITS}{_SP}(?:{_WORD}{_SP})?$"
#: what is removed from a matching amount before it is read as a number
MONEY_STRIP = "[^0-9.-]"
#: customer ids that are whole numbers (read as numbers again once repeated header lines are dropped)
INTEGER_ID = "^-?[0-9]{1,18}$"
#: dates read without a format: ISO-like year-month-day (``-`` or ``/``), optionally followed by a time
DATE_PATTERN = "^\\s*[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}"


@dataclass
class CustomerSummary:
    """Result of :func:`summarize`.

    Attributes
    ----------
    table : DataFrame
        One row per customer (index ``customer_id``) with columns
        ``frequency, recency, T, monetary_value, spend, first_purchase,
        last_purchase, frequency_early, frequency_late, frequency_holdout,
        spend_holdout, duration_holdout``.  ``frequency_early/late`` split
        the repeat purchases at the midpoint of the customer's calibration age.
        With ``attributes``, one more column per attribute (its value on the first purchase day); with
        ``opportunity_days``, the discrete-time columns :data:`BGBB_COLUMNS`.
    report : dict
        What was done to the log: rows read, rows dropped by rule (:data:`REPORT_RULES`), customers
        outside the cohort, transactions (days) in calibration and holdout; ``first_day`` and ``last_day``
        of the purchases used; ``attributes_varying`` (customers whose attribute changes) with attributes.
    period_counts : Series
        Repeat transaction days per period (index 0, 1, ... from ``start``), for tracking plots.
    """

    table: pd.DataFrame
    report: dict
    calibration_end: pd.Timestamp
    holdout_end: pd.Timestamp | None
    time_unit_days: float
    start: pd.Timestamp | None = None
    period_counts: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    def births(self) -> np.ndarray:
        """First purchase times in time units from ``start`` (for :func:`crmlab.clv.tracking`)."""
        return ((self.table["first_purchase"] - self.start).dt.days / self.time_unit_days).to_numpy()

    def report_frame(self) -> pd.DataFrame:
        """The data-rules report as a two-column table (item, value): every rule's count, then the totals."""
        ints = {k: v for k, v in self.report.items() if isinstance(v, (int, np.integer))}
        items = [(k, ints[k]) for k in REPORT_RULES if k in ints] + [(k, v) for k, v in ints.items()
                                                                     if k not in REPORT_RULES]
        return pd.DataFrame({"item": [k for k, _ in items], "value": [int(v) for _, v in items]})

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        return self.report_frame().to_html(index=False)


def _unit_days(time_unit) -> float:
    if isinstance(time_unit, (int, float)) and time_unit > 0:
        return float(time_unit)
    if time_unit not in TIME_UNITS:
        raise ParameterError(f"time_unit must be one of {sorted(set(TIME_UNITS))} or a number of days; "
                             f"got {time_unit!r}")
    return TIME_UNITS[time_unit]


def _timestamp(value, name) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{name} must be a date such as '1997-09-30'; got {value!r}") from exc
    if pd.isna(ts):
        raise ParameterError(f"{name} must be a date such as '1997-09-30'; got {value!r}")
    return ts.normalize()


def _source_name(source) -> str:
    if isinstance(source, pd.DataFrame):
        name = source.attrs.get("file")
        return f"file {name}" if name else "the DataFrame"
    return f"file {Path(str(source)).name}" if Path(str(source)).is_file() else f"{source}"


# -- amounts and dates as exported (the pandas form of the SQL rules) ---------------------------------

_MONEY_RE = re.compile(MONEY_PATTERN)
_STRIP_RE = re.compile(MONEY_STRIP)


def parse_money(values: pd.Series) -> pd.Series:
    """Amounts as numbers: numeric columns as they are; text such as ``¥1,234.50``, ``1,234.50``, ``$12.00``,
    ``-¥20`` or ``12.5 元`` read (currency signs, codes and thousands separators removed); anything else
    (``1.234,50``, ``abc``, empty) becomes missing.

    >>> parse_money(pd.Series(["¥1,234.50", "$12.00", "-¥20", "12,5", None])).tolist()
    [1234.5, 12.0, -20.0, nan, nan]
    """
    if pd.api.types.is_bool_dtype(values):
        return pd.Series(np.nan, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce").astype(float)
    text = values.astype("string")
    ok = text.str.match(_MONEY_RE).fillna(False).astype(bool)
    clean = text.where(ok).str.replace(_STRIP_RE, "", regex=True)
    return pd.to_numeric(clean, errors="coerce").astype(float)


def parse_days(values: pd.Series, date_format: str | None) -> pd.Series:
    """Calendar days of a date column as the SQL path reads it: dates and timestamps as they are; text with
    ``date_format``, else ISO-like ``YYYY-MM-DD`` / ``YYYY/MM/DD`` (optionally with a time); missing otherwise."""
    if pd.api.types.is_datetime64_any_dtype(values):
        day = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
    elif date_format:
        day = pd.to_datetime(values.astype("string"), format=date_format, errors="coerce")
    else:
        text = values.astype("string")
        iso = text.str.match(DATE_PATTERN).fillna(False).astype(bool)  # what the SQL engines cast
        day = pd.to_datetime(text.where(iso).str.replace("/", "-", regex=False), errors="coerce", format="ISO8601")
    return day.dt.normalize()


def header_lines(frame: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """Rows that repeat the header (a concatenated export): every named column holds its own column name."""
    mask = pd.Series(True, index=frame.index)
    for col, name in names.items():
        mask &= frame[col].astype("string").str.strip(" ").eq(name).fillna(False).astype(bool)
    return mask


def status_excluded(status: pd.Series, exclude) -> pd.Series:
    """Rows whose status is one of ``exclude`` (trimmed, case-insensitive)."""
    wanted = {str(s).strip(" ").lower() for s in exclude}
    return status.astype("string").str.strip(" ").str.lower().isin(wanted).fillna(False).astype(bool)


# -- errors naming the file, the column, the rows and the parameter -----------------------------------

def rows_phrase(source, positions) -> str:
    """Where bad rows are, as the user finds them: file rows (header = row 1) for a CSV or Excel file,
    data rows for Parquet, positions for a DataFrame; empty when unknown."""
    from crmlab.core.errors import file_rows

    pos = [int(p) for p in positions]
    if not pos:
        return ""
    if isinstance(source, pd.DataFrame):
        if source.attrs.get("file"):
            first = int(source.attrs.get("first_row", 2))
            return file_rows([p + first - 2 for p in pos])
        return "positions " + ", ".join(str(p) for p in pos[:5]) + (" ..." if len(pos) > 5 else "")
    if str(source).lower().endswith((".parquet", ".pq")):
        return "data rows " + ", ".join(str(p + 1) for p in pos[:5])
    return file_rows(pos)


def locate_rows(source, check, columns, limit: int = 5) -> list[int]:
    """0-based data positions of the first ``limit`` rows for which ``check(frame) -> bool Series`` holds.

    Read where the rows can be numbered: a DataFrame, one local CSV file (in chunks, stopping early) or one
    Parquet file; folders, globs and remote paths give no positions (an empty list).
    """
    try:
        if isinstance(source, pd.DataFrame):
            hit = check(source[list(columns)].reset_index(drop=True))
            return np.flatnonzero(hit.to_numpy())[:limit].tolist()
        p = Path(str(source))
        if not p.is_file():
            return []
        if p.suffix.lower() in (".parquet", ".pq"):
            hit = check(pd.read_parquet(p, columns=list(columns)))
            return np.flatnonzero(hit.to_numpy())[:limit].tolist()
        out, offset = [], 0
        reader = pd.read_csv(p, sep=None, engine="python", dtype=str, keep_default_na=False, na_values=[""],
                             usecols=list(columns), chunksize=200_000, encoding="utf-8-sig")
        for chunk in reader:
            hit = check(chunk.reset_index(drop=True))
            out += (np.flatnonzero(hit.to_numpy()) + offset).tolist()
            if len(out) >= limit:
                break
            offset += len(chunk)
        return out[:limit]
    except Exception:  # positions are a courtesy: the error stands without them
        return []


def bad_rows_error(what: str, source, n: int, *, examples=(), rows: str = "", hint: str = "") -> DataError:
    """``n row(s) of <file> have <what> (rows 3, 7); e.g. 'abc', '¥1.2.3'. <hint>``.

    ``examples`` are values of the column at fault (never a customer id: quote ids through
    :func:`crmlab.core.privacy.pseudonymize`)."""
    shown = ", ".join(repr(v) for v in list(dict.fromkeys(str(v) for v in examples))[:5])  # distinct values
    return DataError(f"{n:,} row(s) of {_source_name(source)} have {what}" + (f" ({rows})" if rows else "")
                     + (f"; e.g. {shown}" if shown else "") + (f". {hint}" if hint else ""))


def check_dates_in_range(first_day, last_day, cal: pd.Timestamp, hold: pd.Timestamp | None, unit: float,
                         source) -> None:
    """Refuse a calibration end or holdout end outside the dates of the transactions used.

    Raises
    ------
    ParameterError
        ``calibration_end`` before the first transaction (no customer in the cohort), on or after the last
        one while a holdout is asked for (an empty holdout), or ``holdout_end`` after the last transaction by
        more than a week, one time unit and a tenth of the holdout (a holdout that counts purchases the
        log could not hold).
    """
    where = _source_name(source)
    span = f"the transactions in {where} run from {first_day.date()} to {last_day.date()}"
    if cal < first_day:
        raise ParameterError(f"calibration_end ({cal.date()}) is before the first transaction: {span}. No customer "
                             f"has bought by then; set calibration_end between {first_day.date()} and "
                             f"{last_day.date()}")
    if hold is not None and cal >= last_day:
        raise ParameterError(f"calibration_end ({cal.date()}) is on or after the last transaction: {span}, so the "
                             "holdout would hold no purchases and its check would look perfect. Set "
                             f"calibration_end before {last_day.date()} (e.g. two thirds of the way through), "
                             "or holdout_end=None to score the customers without a holdout")
    if hold is not None and (hold - last_day).days > max(7.0, unit, 0.1 * (hold - cal).days):
        raise ParameterError(f"holdout_end ({hold.date()}) is after the last transaction: {span}. The holdout "
                             "would count purchases the log cannot hold and the models would look worse than they "
                             f"are; set holdout_end to {last_day.date()} or earlier")


def no_transactions_error(source, report: dict) -> DataError:
    """The log holds no purchase to summarise: say so, with what the rules removed."""
    n = report.get("rows_read", 0)
    if not n:
        return DataError(f"{_source_name(source)} has no transactions (no data rows): nothing to summarise; "
                         "check the file (parameter transactions)")
    removed = {k: v for k, v in report.items() if k in REPORT_RULES[1:] and v}
    said = ", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in removed.items())
    return DataError(f"{_source_name(source)} has no purchases left after the data rules ({n:,} rows read; {said}); "
                     "check the parameters status_col, exclude_status, returns and holdout_end")


def _finish_report(report, out):
    report["customers"] = len(out)
    report["repeaters"] = int((out["frequency"] > 0).sum())
    report["transactions_calibration"] = int((out["frequency"] + 1).sum())
    report["repeat_transactions_calibration"] = int(out["frequency"].sum())
    report["transactions_holdout"] = int(out["frequency_holdout"].sum())
