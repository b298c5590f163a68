"""Study 3's data: the transaction log as given (a file, a folder of Parquet files, a glob or an Excel sheet),
its codebook and columns, checked before anything is computed; and the customer summary, collected to the
driver or kept in the engine (DuckDB or Spark) when the customers are many.

Language-free; the words are in :mod:`.text`, :mod:`.sentences` and :mod:`.findings`.
"""
from __future__ import annotations

import glob as _glob
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crmlab.core.errors import DataError, ParameterError

#: above this many customers the per-customer table stays in the engine (``keep_in_engine="auto"``): the
#: models are fitted on compressed counts, every customer is scored where the data is and written as Parquet
#: with pseudonymous ids, and the report shows aggregates and the top of the early-warning list
KEEP_IN_ENGINE_ABOVE = 1_000_000
#: a customer base smaller than this is refused before any fit (the models describe a population)
MIN_CUSTOMERS = 10
#: discrete-time periods of the BG/BB section, in days
BGBB_PERIODS = {"weeks": 7.0, "months": 365.25 / 12, "quarters": 365.25 / 4, "years": 365.25}
#: the file the bundled introduction describes
BUNDLED_FILE = "cdnow_sample.txt"


@dataclass
class Log:
    """The transaction log a run studies: what the summary reads (``source``: a path, pattern or frame),
    the path as given, its display name, whether it is the bundled CDNOW sample, its codebook and the columns
    the parameters name (role -> column: customer, date, amount, order, status, covariates)."""

    source: object
    path: str
    file: str
    bundled: bool
    codebook: object
    columns: dict
    header: list | None = None

    @property
    def rows(self) -> int | None:
        """Rows of the log when it was read into memory (Excel, GBK CSV, the CDNOW text files); else None."""
        return len(self.source) if isinstance(self.source, pd.DataFrame) else None


def _header(source) -> list | None:
    """Column names without reading the data (None when only the engine can list them: remote paths)."""
    from crmlab.core.datasets import read_header
    from crmlab.engine import _is_remote

    if isinstance(source, pd.DataFrame):
        return [str(c) for c in source.columns]
    text = str(source)
    if _is_remote(text):
        return None
    p = Path(text)
    if any(ch in text for ch in "*?["):
        hits = sorted(_glob.glob(text, recursive=True))
        p = Path(hits[0]) if hits else p
    if p.is_dir():
        files = sorted(p.rglob("*.parquet")) or sorted(p.rglob("*.pq")) or sorted(p.rglob("*.csv"))
        if not files:
            raise DataError(f"folder {p.name} holds no Parquet or CSV file (parameter transactions)")
        p = files[0]
    return read_header(p)


def _codebook(codebook, path: str, source):
    from crmlab.core.codebook import CODEBOOK_FILE, find_codebook, load_codebook

    if codebook:
        return load_codebook(codebook)
    p = Path(str(source)) if not isinstance(source, pd.DataFrame) else None
    if p is not None and p.is_dir():
        for cand in (p / CODEBOOK_FILE, p.parent / CODEBOOK_FILE):
            if cand.is_file():
                return load_codebook(cand)
        return None
    if any(ch in path for ch in "*?["):
        return None
    return find_codebook(None, path)


def open_log(transactions: str, *, sheet=None, codebook=None, columns: dict | None = None) -> Log:
    """Find the log and its codebook and check that it has every column a parameter names.

    ``columns`` maps parameter names to the columns they name (``{"customer_col": "customer_id", ...,
    "covariates": ["channel"]}``; None entries are skipped). Only the header is read (the data stay where
    they are until the summary).

    Raises
    ------
    DataError
        A log that cannot be found or read, or a column a parameter names that the log lacks (naming the
        file, the parameter and the columns present).
    """
    from crmlab import transactions as tr
    from crmlab.core.codebook import is_bundled

    source = tr.open_source(transactions, sheet=sheet)
    header = _header(source)
    name = (source.attrs.get("file") if isinstance(source, pd.DataFrame) else None) or Path(str(source)).name
    named = {k: v for k, v in (columns or {}).items() if v}
    if header is not None:
        problems = []
        for param, cols in named.items():
            wanted = cols if isinstance(cols, (list, tuple)) else [cols]
            missing = [c for c in wanted if c not in header]
            if missing:
                what = f"column {missing[0]!r}" if len(missing) == 1 else f"columns {missing}"
                problems.append(f"parameter {param!r} names {what}, which is not in its header")
        if problems:
            cols = ", ".join(map(str, header[:40])) + (f", ... ({len(header)} in all)" if len(header) > 40 else "")
            raise DataError(f"{name}: " + "; ".join(problems) + f". Its columns: {cols}")
    bundled = is_bundled(transactions) and Path(str(transactions)).name.lower() == BUNDLED_FILE
    return Log(source, str(transactions), name, bundled, _codebook(codebook, str(transactions), source),
               named, header)


# -- the customer summary, on the driver or in the engine ---------------------------------------------

@dataclass
class Run:
    """Section 1's result, shared by every later section.

    ``summary`` (a :class:`crmlab.transactions.CustomerSummary`, the driver path) or ``es`` (an
    :class:`crmlab.transactions.sql.EngineSummary`, the engine path: the per-customer table stays in DuckDB or
    Spark); ``report`` the data-rules counts; ``settings`` what later sections need (horizon, discount rate,
    early-warning threshold, where scores are written); ``engine`` and ``spark_master`` what ran it.
    """

    log: Log
    summary: object | None
    es: object | None
    report: dict
    engine: str
    spark_master: object = None
    settings: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)

    @property
    def in_engine(self) -> bool:
        return self.es is not None

    @property
    def base(self):
        """The summary object with the dates and the unit (driver or engine)."""
        return self.es if self.es is not None else self.summary

    @property
    def table(self) -> pd.DataFrame:
        """The per-customer table (driver path only)."""
        if self.summary is None:
            raise ParameterError("the per-customer table stays in the engine (keep_in_engine); this step needs it "
                                 "on the driver: run with keep_in_engine='never'")
        return self.summary.table

    @property
    def n_customers(self) -> int:
        return int(self.report["customers"])

    @property
    def time_unit_days(self) -> float:
        return self.base.time_unit_days

    @property
    def calibration_end(self):
        return self.base.calibration_end

    @property
    def holdout_end(self):
        return self.base.holdout_end

    def engine_record(self) -> dict:
        """``results.json["engine"]``: what ran the summary (:func:`crmlab.engine.engine_info`) and where the
        per-customer table stayed."""
        from crmlab.engine import engine_info

        return {**engine_info(self.engine, self.spark_master), "customers_in_engine": self.in_engine}

    def rules(self) -> pd.DataFrame:
        """The data-rules table (rule, count; zeros included), then the totals."""
        from crmlab.transactions.common import CustomerSummary

        return CustomerSummary(pd.DataFrame(), self.report, None, None, 1.0).report_frame().set_index("item")

    def close(self):
        if self.es is not None:
            self.es.close()
            eng = self.cache.pop("engine", None)
            if eng is not None:
                eng.close()


def customer_summary(log: Log, *, calibration_end, holdout_end=None, time_unit="weeks", date_format=None,
                     returns="net", duplicates="keep", order_col=None, status_col=None, exclude_status=(),
                     attributes=(), bgbb_period="none", engine="duckdb", spark_master=None,
                     keep_in_engine="auto", settings: dict | None = None) -> Run:
    """Summarise the log per customer (:func:`crmlab.transactions.summarize_in_engine`) and decide where the
    per-customer table lives: on the driver (collected) or in the engine.

    ``keep_in_engine``: ``"auto"`` keeps it in the engine above :data:`KEEP_IN_ENGINE_ABOVE` customers,
    ``"always"`` / ``"never"`` force the choice (``engine="pandas"`` always collects). ``attributes``: log
    columns carried per customer (covariates); ``bgbb_period``: the discrete-time view for the BG/BB section.

    Raises
    ------
    DataError
        Too few customers or no repeat buyers for the models (:func:`check_customers`), besides the
        summary's own refusals (unreadable rows, dates outside the log).
    """
    from crmlab import engine as engines
    from crmlab import transactions as tr

    if keep_in_engine not in ("auto", "always", "never"):
        raise ParameterError(f"keep_in_engine must be 'auto', 'always' or 'never'; got {keep_in_engine!r}")
    if bgbb_period != "none" and bgbb_period not in BGBB_PERIODS:
        raise ParameterError(f"bgbb_period must be 'none' or one of {sorted(BGBB_PERIODS)}; got {bgbb_period!r}")
    kw = dict(customer_col=log.columns.get("customer_col", "customer_id"),
              date_col=log.columns.get("date_col", "date"), amount_col=log.columns.get("amount_col", "amount"),
              calibration_end=calibration_end, holdout_end=holdout_end, time_unit=time_unit,
              date_format=date_format, returns=returns, duplicates=duplicates, order_col=order_col,
              status_col=status_col, exclude_status=tuple(exclude_status), attributes=tuple(attributes),
              opportunity_days=BGBB_PERIODS.get(bgbb_period))
    settings = dict(settings or {})
    if engine == "pandas":
        if keep_in_engine == "always":
            raise ParameterError("keep_in_engine='always' needs engine='duckdb' or 'spark'")
        s = tr.summarize(log.source, engine="pandas", **kw)
        run = Run(log, s, None, s.report, "pandas", None, settings)
    else:
        eng = engines.connect(engine, spark_master=spark_master)
        try:
            es = tr.summarize_in_engine(log.source, engine=eng, **kw)
        except BaseException:
            eng.close()
            raise
        stay = keep_in_engine == "always" or (keep_in_engine == "auto" and es.n_customers > KEEP_IN_ENGINE_ABOVE)
        if stay:
            run = Run(log, None, es, es.report, engine, spark_master, settings, {"engine": eng})
        else:
            try:
                s = es.to_customer_summary()
            finally:
                es.close()
                eng.close()
            run = Run(log, s, None, s.report, engine, spark_master, settings)
    check_customers(run)
    return run


def check_customers(run: Run) -> None:
    """Refuse a customer base the models cannot describe, naming it as such before any fit.

    Raises
    ------
    DataError
        One customer, fewer than :data:`MIN_CUSTOMERS`, or no (or one) repeat buyer in the calibration
        period, naming the parameters that fix it.
    """
    n, rep = run.n_customers, int(run.report["repeaters"])
    where = f"{run.log.file}: "
    cal = run.calibration_end.date()
    if n == 1:
        raise DataError(where + f"only one customer made a purchase by calibration_end ({cal}). The models describe "
                        "a customer base (how purchase rates and drop-out vary across customers) and need many "
                        f"customers: at least {MIN_CUSTOMERS}, and several hundred for stable estimates. Give a log "
                        "with more customers (parameter transactions) or a later calibration_end")
    if n < MIN_CUSTOMERS:
        raise DataError(where + f"only {n} customers made a purchase by calibration_end ({cal}); the models need at "
                        f"least {MIN_CUSTOMERS}, and several hundred for stable estimates. Give a log with more "
                        "customers (parameter transactions) or a later calibration_end")
    if rep < 2:
        said = "no customer" if rep == 0 else "only one customer"
        raise DataError(where + f"{said} of the {n:,} bought again before calibration_end ({cal}), so repeat buying "
                        "and drop-out cannot be estimated. Set calibration_end later (a longer calibration period) "
                        "or check the date and customer columns (parameters date_col, customer_col)")
