"""Bundled datasets and a careful table reader.

Each loader returns a typed DataFrame validated with a pandera schema
(types, ranges, uniqueness of ids). Problems are reported as
:class:`crmlab.core.errors.DataError` naming the file, the column and example rows.
Sources, licences and checksums: ``data/PROVENANCE.md``.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors

from crmlab.core.errors import DataError
from crmlab.core.paths import data_dir, project_root
from crmlab.core.results import note_input

#: Encodings tried in order. UTF-8 with or without BOM, then GB18030 (a superset
#: of GBK/GB2312, the usual encoding of Chinese survey-platform exports).
ENCODINGS = ("utf-8-sig", "gb18030")
DELIMITERS = ",;\t|"


def resolve_path(path: str | os.PathLike) -> Path:
    """Find a data file: as given (absolute or relative to the working
    directory), then relative to the project root, then to the data folder.

    Raises
    ------
    DataError
        When none exists; the message lists where it looked.
    """
    p = Path(path).expanduser()
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, project_root() / p, data_dir() / p]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise DataError(f"data file {str(path)!r} not found (looked in: {tried})")


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError(
        f"{path}: cannot decode the file as UTF-8 or GBK/GB18030; re-export it as UTF-8 CSV"
    )


def _sniff_delimiter(text: str, path: Path) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        if counts[best] == 0:
            return ","  # single-column file
        return best


EXCEL = {".xlsx", ".xlsm", ".xls"}
PARQUET = {".parquet", ".pq"}


def _sheet_name(p: Path, sheet):
    """The sheet to read (name or 0-based position; None: the first), checked against the workbook."""
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_path(str(p)).sheet_names
    except Exception as exc:  # calamine raises its own error types
        raise DataError(f"{p}: not a readable Excel workbook ({exc})") from exc
    if sheet is None:
        return names[0]
    if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in names):
        i = int(sheet)
        if not 0 <= i < len(names):
            raise DataError(f"{p}: has {len(names)} sheet(s) {names}; sheet number {i} does not exist "
                            f"(parameter 'sheet' counts from 0)")
        return names[i]
    if sheet not in names:
        raise DataError(f"{p}: no sheet named {sheet!r}; sheets: {names} (set parameter 'sheet')")
    return sheet


def read_header(path: str | os.PathLike, *, sheet=None) -> list[str]:
    """The column names of a CSV, Excel or Parquet file, read from its header only (fast on any size).

    A folder of Parquet files or a glob reads the first file's schema.
    """
    p = resolve_path(path)
    if p.is_dir():
        files = sorted(p.rglob("*.parquet")) or sorted(p.rglob("*.pq"))
        if not files:
            raise DataError(f"{p}: a folder, but it holds no Parquet files")
        p = files[0]
    suffix = p.suffix.lower()
    if suffix in PARQUET:
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(p).names)
        except Exception as exc:
            raise DataError(f"{p}: not a readable Parquet file ({exc})") from exc
    if suffix in EXCEL:
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_name(_sheet_name(p, sheet)).to_python(nrows=1)
        return [str(c) for c in rows[0]] if rows else []
    with open(p, "rb") as fh:
        raw = fh.read(1 << 16)
    text, _ = _decode(raw[: raw.rfind(b"\n") + 1] or raw, p)
    if not text.strip():
        raise DataError(f"{p}: the file is empty")
    first = text.splitlines()[0]
    sep = _sniff_delimiter(text, p)
    return [c.strip() for c in next(csv.reader([first], delimiter=sep))]


def read_table(path: str | os.PathLike, *, sep: str | None = None, sheet=None, **kwargs) -> pd.DataFrame:
    """Read a CSV (any common delimiter; UTF-8, UTF-8 with BOM or GBK), Excel (.xlsx) or Parquet file.

    Parameters
    ----------
    path : path-like
        Resolved with :func:`resolve_path`.
    sep : str, optional
        Delimiter; sniffed from the first lines when omitted. ``r"\\s+"`` reads
        whitespace-separated files.
    sheet : str or int, optional
        The Excel sheet (name, or position from 0); default the first.
    **kwargs
        Passed to :func:`pandas.read_csv` (or :func:`pandas.read_excel`).

    Raises
    ------
    DataError
        Missing file, undecodable bytes, or a malformed line (the message
        names the file and the line).
    """
    p = resolve_path(path)
    note_input(p)
    if p.suffix.lower() in EXCEL:
        name = _sheet_name(p, sheet)
        try:
            return pd.read_excel(p, sheet_name=name, engine="calamine", **kwargs)
        except Exception as exc:
            raise DataError(f"{p}: cannot read sheet {name!r} ({exc})") from exc
    if p.suffix.lower() in PARQUET:
        try:
            return pd.read_parquet(p)
        except Exception as exc:  # pyarrow raises many types
            raise DataError(f"{p}: not a readable Parquet file ({exc})") from exc
    text, _ = _decode(p.read_bytes(), p)
    if not text.strip():
        raise DataError(f"{p}: the file is empty")
    if sep is None:
        sep = _sniff_delimiter(text, p)
    engine = "python" if len(sep) > 1 and sep != r"\s+" else "c"
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, engine=engine, **kwargs)
    except pd.errors.ParserError as exc:
        raise DataError(f"{p}: cannot parse as a table with delimiter {sep!r}: {exc}") from exc


def require_columns(df: pd.DataFrame, columns, source: str) -> None:
    """Raise :class:`DataError` naming the missing columns and the ones present."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {missing}; the file has {list(df.columns)}"
        )


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, source: str) -> pd.DataFrame:
    """Validate ``df`` with a pandera schema; failures become one readable DataError."""
    require_columns(df, list(schema.columns), source)
    try:
        return schema.validate(df, lazy=True)
    except (SchemaErrors, SchemaError) as exc:
        raise DataError(f"{source}: failed validation\n{_describe_failures(exc, df)}") from None


def _describe_failures(exc, df: pd.DataFrame) -> str:
    cases = getattr(exc, "failure_cases", None)
    if cases is None or len(cases) == 0:
        return str(exc)
    lines = []
    for (column, check), grp in cases.groupby(["column", "check"], dropna=False, sort=False):
        rows = [int(i) for i in grp["index"].dropna().tolist()[:5]] if "index" in grp else []
        values = grp["failure_case"].tolist()[:5]
        # rows are reported as 1-based data-row numbers (line numbers minus the header)
        where = f" at rows {[r + 1 for r in rows]}" if rows else ""
        lines.append(f"  column {column!r}: {check}{where}; example values {values} ({len(grp)} in all)")
    return "\n".join(lines)


def _int_range(lo, hi, *, nullable=False):
    return pa.Column(int, pa.Check.in_range(lo, hi), coerce=True, nullable=nullable)


def _coerce_numeric(df: pd.DataFrame, columns, source: str) -> pd.DataFrame:
    """Convert columns to numbers, reporting non-numeric cells by column and row."""
    df = df.copy()
    for col in columns:
        conv = pd.to_numeric(df[col], errors="coerce")
        bad = conv.isna() & df[col].notna()
        if bad.any():
            rows = (df.index[bad][:5] + 1).tolist()
            raise DataError(
                f"{source}: column {col!r} holds non-numeric values {df.loc[bad, col].head(5).tolist()} "
                f"at rows {rows} ({int(bad.sum())} in all)"
            )
        df[col] = conv
    return df


# --- ECSI satisfaction survey (plspm) -----------------------------------------------------

ECSI_BLOCKS = {
    "IMAG": ["imag1", "imag2", "imag3", "imag4", "imag5"],
    "EXPE": ["expe1", "expe2", "expe3", "expe4", "expe5"],
    "QUAL": ["qual1", "qual2", "qual3", "qual4", "qual5"],
    "VAL": ["val1", "val2", "val3", "val4"],
    "SAT": ["sat1", "sat2", "sat3", "sat4"],
    "LOY": ["loy1", "loy2", "loy3", "loy4"],
}
ECSI_ITEMS = [item for block in ECSI_BLOCKS.values() for item in block]
ECSI_SCHEMA = pa.DataFrameSchema(
    {**{c: _int_range(0, 10) for c in ECSI_ITEMS},
     "gender": pa.Column(str, pa.Check.isin(["male", "female"]), nullable=True)},
    strict=False,
)


def load_ecsi(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """ECSI-style satisfaction survey, 250 respondents (R package plspm).

    Items on 0-10 scales: image (imag1-5), expectations (expe1-5), perceived
    quality (qual1-5), perceived value (val1-4), satisfaction (sat1-4),
    loyalty (loy1-4); plus ``gender``.
    """
    p = resolve_path(path or "data/ecsi/satisfaction.csv")
    df = read_table(p)
    df = df.drop(columns=[c for c in df.columns if c in ("", "Unnamed: 0")])
    require_columns(df, ECSI_ITEMS + ["gender"], str(p))
    df = _coerce_numeric(df, ECSI_ITEMS, str(p))
    df = validate(df, ECSI_SCHEMA, str(p))
    df["gender"] = df["gender"].astype("category")
    return df.reset_index(drop=True)


# --- Rossi, Gilula & Allenby customer satisfaction survey (bayesm) --------------------------

CUSTOMER_SAT_ITEMS = [f"q{i}" for i in range(1, 11)]
CUSTOMER_SAT_SCHEMA = pa.DataFrameSchema({c: _int_range(1, 10) for c in CUSTOMER_SAT_ITEMS})


def load_customer_sat(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Yellow-pages advertising satisfaction survey, 1,811 respondents, q1-q10 on 1-10."""
    p = resolve_path(path or "data/customersat/customer_sat.csv")
    df = read_table(p)
    require_columns(df, CUSTOMER_SAT_ITEMS, str(p))
    df = _coerce_numeric(df, CUSTOMER_SAT_ITEMS, str(p))
    return validate(df, CUSTOMER_SAT_SCHEMA, str(p)).reset_index(drop=True)


# --- CDNOW transactions (Fader & Hardie) -----------------------------------------------------

CDNOW_SCHEMA = pa.DataFrameSchema(
    {
        "customer_id": pa.Column(int, pa.Check.ge(1), coerce=True),
        "date": pa.Column("datetime64[ns]", pa.Check.in_range(pd.Timestamp("1997-01-01"), pd.Timestamp("1998-06-30"))),
        "cds": pa.Column(int, pa.Check.ge(0), coerce=True),
        "amount": pa.Column(float, pa.Check.ge(0), coerce=True),
    },
    strict=False,
)


def _parse_dates(df: pd.DataFrame, col: str, fmt: str, source: str) -> pd.DataFrame:
    parsed = pd.to_datetime(df[col].astype(str), format=fmt, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        raise DataError(
            f"{source}: column {col!r} holds dates not in format {fmt!r}: "
            f"{df.loc[bad, col].head(5).tolist()} at rows {(df.index[bad][:5] + 1).tolist()}"
        )
    df = df.copy()
    df[col] = parsed.astype("datetime64[ns]")
    return df


def load_cdnow_sample(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The CDNOW 1/10 sample of Fader, Hardie & Lee (2005): 6,919 purchases of 2,357 customers.

    Columns: ``customer_id`` (sample id 1..2357), ``master_id``, ``date``,
    ``cds`` (number of CDs), ``amount`` (dollars).
    """
    p = resolve_path(path or "data/cdnow/CDNOW_sample.txt")
    df = read_table(p, sep=r"\s+", header=None, names=["master_id", "customer_id", "date", "cds", "amount"])
    df = _parse_dates(df, "date", "%Y%m%d", str(p))
    df = validate(df, CDNOW_SCHEMA, str(p))
    df["master_id"] = df["master_id"].astype(int)
    return df[["customer_id", "master_id", "date", "cds", "amount"]].reset_index(drop=True)


def load_cdnow_master(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """All 69,659 CDNOW purchases of the 23,570-customer cohort (Q1 1997 to June 1998)."""
    p = resolve_path(path or "data/cdnow/CDNOW_master.txt")
    df = read_table(p, sep=r"\s+", header=0, names=["customer_id", "date", "cds", "amount"])
    df = _parse_dates(df, "date", "%Y%m%d", str(p))
    return validate(df, CDNOW_SCHEMA, str(p)).reset_index(drop=True)


# --- Hillstrom e-mail experiment ----------------------------------------------------------

HILLSTROM_ARMS = ["Mens E-Mail", "Womens E-Mail", "No E-Mail"]
HILLSTROM_SCHEMA = pa.DataFrameSchema(
    {
        "recency": _int_range(1, 12),
        "history_segment": pa.Column(str),
        "history": pa.Column(float, pa.Check.ge(0), coerce=True),
        "mens": _int_range(0, 1),
        "womens": _int_range(0, 1),
        "zip_code": pa.Column(str, pa.Check.isin(["Surburban", "Rural", "Urban"])),
        "newbie": _int_range(0, 1),
        "channel": pa.Column(str, pa.Check.isin(["Phone", "Web", "Multichannel"])),
        "segment": pa.Column(str, pa.Check.isin(HILLSTROM_ARMS)),
        "visit": _int_range(0, 1),
        "conversion": _int_range(0, 1),
        "spend": pa.Column(float, pa.Check.ge(0), coerce=True),
    }
)


def load_hillstrom(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Kevin Hillstrom's e-mail experiment: 64,000 customers in three randomised arms."""
    p = resolve_path(path or "data/hillstrom/hillstrom.csv")
    df = read_table(p)
    return validate(df, HILLSTROM_SCHEMA, str(p)).reset_index(drop=True)


# --- IBM telco churn ----------------------------------------------------------------------

TELCO_SCHEMA = pa.DataFrameSchema(
    {
        "churn": pa.Column(str, pa.Check.isin(["Yes", "No"])),
        "tenure": _int_range(0, 100),
        "contract": pa.Column(str, pa.Check.isin(["Month-to-month", "One year", "Two year"])),
        "monthly_charges": pa.Column(float, pa.Check.ge(0), coerce=True),
        "total_charges": pa.Column(float, pa.Check.ge(0), coerce=True, nullable=True),
    },
    strict=False,
)


def load_telco_churn(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """IBM telco churn, 7,043 customers: tenure (months), churn Yes/No, contract, services, charges."""
    p = resolve_path(path or "data/telco_churn/telco_churn.csv")
    df = read_table(p)
    return validate(df, TELCO_SCHEMA, str(p)).reset_index(drop=True)


#: name -> loader, used by the data overview notebook and the tests.
#: where each bundled dataset lives (its codebook.yaml sits beside it)
FILES = {
    "ecsi": "data/ecsi/satisfaction.csv",
    "customer_sat": "data/customersat/customer_sat.csv",
    "cdnow_sample": "data/cdnow/CDNOW_sample.txt",
    "cdnow_master": "data/cdnow/CDNOW_master.txt",
    "hillstrom": "data/hillstrom/hillstrom.csv",
    "telco_churn": "data/telco_churn/telco_churn.csv",
}

LOADERS = {
    "ecsi": load_ecsi,
    "customer_sat": load_customer_sat,
    "cdnow_sample": load_cdnow_sample,
    "cdnow_master": load_cdnow_master,
    "hillstrom": load_hillstrom,
    "telco_churn": load_telco_churn,
}
