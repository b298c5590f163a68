"""What every engine's customer summary shares: the summary object, time units and the error for bad rows."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core.errors import DataError, ParameterError


ENGINES = ("duckdb", "spark", "pandas")

#: time unit name -> days

TIME_UNITS = {"days": 1.0, "D": 1.0, "day": 1.0, "weeks": 7.0, "W": 7.0, "week": 7.0,
              "months": 365.25 / 12, "M": 365.25 / 12, "month": 365.25 / 12}

_COLUMNS = ["frequency", "recency", "T", "monetary_value", "spend", "first_purchase", "last_purchase",
            "frequency_early", "frequency_late", "frequency_holdout", "spend_holdout", "duration_holdout"]

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
    report : dict
        What was done to the log: rows read, rows dropped by rule, customers
        outside the cohort, transactions (days) in calibration and holdout.
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
        """The report as a two-column table (item, value)."""
        return pd.DataFrame({"item": list(self.report), "value": list(self.report.values())})

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
    return "the DataFrame" if isinstance(source, pd.DataFrame) else f"file {source}"

def bad_rows_error(what: str, source, examples: pd.DataFrame, n: int, hint: str = "") -> DataError:
    rows = examples.head(5).to_dict("records")
    return DataError(f"{n} row(s) of {_source_name(source)} have {what}; e.g. {rows}" + (f". {hint}" if hint else ""))

def _finish_report(report, out):
    report["customers"] = len(out)
    report["repeaters"] = int((out["frequency"] > 0).sum())
    report["transactions_calibration"] = int((out["frequency"] + 1).sum())
    report["repeat_transactions_calibration"] = int(out["frequency"].sum())
    report["transactions_holdout"] = int(out["frequency_holdout"].sum())
