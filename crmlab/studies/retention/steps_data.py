"""Study 4's data: the experiment table and the churn table as exports give them, each optional.

:func:`open_experiment` reads the experiment (CSV, Excel or Parquet), checks every column a parameter
names, reads arm labels as text (so ``control: 0`` finds the arm coded ``0``) and yes/no outcomes as 1/0
through a value map the report shows (``是/否``, ``yes/no``, ``Y/N``, ``true/false``, ``1/0``, and the
``outcome_values`` parameter's own answers); :func:`open_survival` does the same for the churn table
(durations, the churn label read through the same map, the groups). Small or degenerate data are
named as such before any estimator runs; errors name the file, the column, the rows as numbered in
the file and the parameter that fixes them. :func:`open_parts` puts both together with their codebook
and the unit of time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError, file_rows

#: fewest customers per arm for the experiment analyses (effects, checks, uplift on cross-fitted folds)
MIN_PER_ARM = 20
#: fewest customers of the churn table, and most groups ``strata_col`` may have
MIN_SURVIVAL = 20
MAX_GROUPS = 12
#: units of time a duration column may have (the codebook's ``unit`` or the ``time_unit`` parameter)
TIME_UNITS = ("days", "weeks", "months", "years")


@dataclass
class Experiment:
    """The experiment as the study uses it: ``data`` (arm labels as text, yes/no outcomes as 1/0), where it
    came from (``path``, ``file``, ``bundled``), the arm column, the ``control`` label, the treated ``arms``,
    the ``outcomes`` and which of them are ``binary``, and ``value_maps`` (outcome -> {answer: 1 or 0}) for the
    outcomes read from words."""

    data: pd.DataFrame
    path: str
    file: str
    bundled: bool
    arm_col: str
    control: str
    arms: list
    outcomes: list
    binary: list
    value_maps: dict = field(default_factory=dict)

    def record(self) -> dict:
        counts = self.data[self.arm_col].value_counts()
        return {"file": self.file, "rows": len(self.data), "arm_col": self.arm_col, "control": self.control,
                "customers_per_arm": {a: int(counts.get(a, 0)) for a in [self.control, *self.arms]},
                "binary_outcomes": list(self.binary), "value_maps": self.value_maps}


@dataclass
class Survival:
    """The churn table as the study uses it: ``data`` as read, where it came from, the columns, the checked
    ``durations``, ``events`` (1 = churned) and ``strata`` (text), and ``event_map`` (each label of the event
    column -> 1 churned / 0 still a customer)."""

    data: pd.DataFrame
    path: str
    file: str
    bundled: bool
    duration_col: str
    event_col: str
    strata_col: str
    durations: np.ndarray
    events: np.ndarray
    strata: np.ndarray
    event_map: dict = field(default_factory=dict)

    @property
    def whole_periods(self) -> bool:
        """True when every duration is a whole number of periods (what the contractual sBG model needs)."""
        return bool(np.all(self.durations == np.round(self.durations)))

    def record(self) -> dict:
        return {"file": self.file, "rows": len(self.data), "duration_col": self.duration_col,
                "event_col": self.event_col, "strata_col": self.strata_col, "churned": int(self.events.sum()),
                "event_map": self.event_map}


@dataclass
class Parts:
    """What a run studies: the experiment (None: not given), the churn table (None: not given), the codebook
    of both (None: column names as they are) and the unit of time of the durations (None: unknown)."""

    exp: Experiment | None
    surv: Survival | None
    codebook: object = None
    time_unit: str | None = None

    def record(self) -> dict:
        """The ``data`` record: which parts ran and what each table held."""
        return {"experiment": None if self.exp is None else self.exp.record(),
                "survival": None if self.surv is None else self.surv.record(), "time_unit": self.time_unit}


# --------------------------------------------------------------------------- reading
def _read(path, sheet, param: str) -> tuple[pd.DataFrame, str, bool]:
    from crmlab.core.codebook import is_bundled

    p = datasets.resolve_path(path)
    df = datasets.read_table(p, sheet=sheet)
    df.columns = [str(c).strip() for c in df.columns]
    if len(df) == 0:
        raise DataError(f"{p.name}: the file has a header and no rows: no customers to analyse (parameter {param!r})")
    return df.reset_index(drop=True), p.name, is_bundled(path)


def require(df: pd.DataFrame, file: str, named: dict) -> None:
    """Refuse columns that parameters name and the file lacks: ``named`` maps parameter -> column(s)."""
    for param, cols in named.items():
        cols = [cols] if isinstance(cols, str) else [c for c in (cols or []) if c]
        missing = [c for c in cols if c not in df.columns]
        if missing:
            what = f"column {missing[0]!r}" if len(missing) == 1 else f"columns {missing}"
            raise DataError(f"{file}: parameter {param!r} names {what}, which the file does not have; its columns: "
                            f"{', '.join(map(str, df.columns[:40]))}")


def as_labels(values: pd.Series) -> pd.Series:
    """Labels as text: whole numbers without ``.0`` (``1.0`` -> ``"1"``), other values stripped."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        x = values.astype(float)
        if np.all(x.dropna() == np.round(x.dropna())):
            return x.map(lambda v: v if pd.isna(v) else str(int(v)))
    return values.map(lambda v: v if pd.isna(v) else str(v).strip())


_MONEY = re.compile(r"^[\s¥$€£]*([-+]?[\d,]*\.?\d+)\s*(元|美元|RMB|CNY|USD)?\s*$")


def _numbers(values: pd.Series):
    """A column of numbers as exports write them (``1,234.50``, ``¥12.00``, ``12 元``), or None."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    text = values.astype(str).str.strip()
    m = text.str.extract(_MONEY)[0]
    ok = m.notna() | values.isna()
    if not ok.all():
        return None
    return pd.to_numeric(m.str.replace(",", "", regex=False), errors="coerce")


def _unrecognised(y: pd.Series, extra: dict | None) -> np.ndarray:
    """Positions of the values of ``y`` that read neither as yes nor as no."""
    from crmlab.experiments import NO_VALUES, YES_VALUES

    known = set(YES_VALUES) | set(NO_VALUES) | {str(k).strip().lower() for k in (extra or {})}
    keys = y.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip().lower())
    return np.flatnonzero((~keys.isin(known) & y.notna()).to_numpy())


def _outcome(df, col, file, *, declared_binary: bool, extra: dict):
    """An outcome as numbers: yes/no answers as 1/0 (with their map), amounts as numbers."""
    from crmlab.experiments import binary_codes

    y = df[col]
    res = binary_codes(y, extra)
    if res is not None and (declared_binary or res[1] or pd.api.types.is_bool_dtype(y)):
        codes, mapping = res
        return pd.Series(codes, name=col), True, mapping
    if declared_binary:
        bad = _unrecognised(y, extra)
        raise DataError(f"{file}: outcome {col!r} is declared binary (parameter binary_outcomes) but holds "
                        f"{list(dict.fromkeys(y.iloc[bad]))[:5]} at {file_rows(bad)}; a yes/no outcome is read from 1/0, 是/否, "
                        "yes/no, Y/N or true/false, and other answers can be named with the parameter outcome_values")
    x = _numbers(y)
    if x is None:
        bad = np.flatnonzero((~y.astype(str).str.strip().str.match(_MONEY) & y.notna()).to_numpy())
        raise DataError(f"{file}: outcome {col!r} is neither a number nor a yes/no answer: it holds "
                        f"{list(y.iloc[bad[:5]])} at {file_rows(bad)} (parameter outcomes; yes/no answers other than "
                        "是/否, yes/no, Y/N, true/false and 1/0 can be named with the parameter outcome_values)")
    return x.rename(col), False, {}


def open_experiment(path, *, sheet=None, arm_col: str, control, outcomes, binary_outcomes=(), outcome_values=None,
                    columns: dict | None = None) -> Experiment:
    """Read and check the experiment table (see the module docstring).

    ``columns`` maps further parameters to the column(s) they name (covariates, segments...), all checked.

    Raises
    ------
    DataError
        An unreadable or empty file; a column a parameter names that the file lacks (listing its
        columns); missing arm labels or outcome values (rows as numbered in the file); a control that is not
        a label of the arm column; an outcome that is neither numbers nor yes/no answers; too few customers
        in an arm (fewer than :data:`MIN_PER_ARM`); an outcome with a single value.
    """
    df, file, bundled = _read(path, sheet, "experiment")
    outcomes = list(outcomes)
    declared = set(binary_outcomes or ())
    other = [b for b in declared if b not in outcomes]
    if other:
        raise ParameterError(f"parameter 'binary_outcomes' names {other}, which are not among the outcomes {outcomes}")
    require(df, file, {"arm_col": arm_col, "outcomes": outcomes, **(columns or {})})
    arm = as_labels(df[arm_col])
    gone = np.flatnonzero(arm.isna().to_numpy())
    if gone.size:
        raise DataError(f"{file}: column {arm_col!r} (parameter arm_col) has no arm label at {file_rows(gone)} "
                        f"({gone.size} in all)")
    ctl = str(control).strip()
    labels = sorted(arm.unique(), key=str)
    if ctl not in labels:
        raise DataError(f"{file}: the control arm {ctl!r} (parameter control) is not a label of column {arm_col!r}; "
                        f"its labels: {labels}")
    arms = [a for a in labels if a != ctl]
    if not arms:
        raise DataError(f"{file}: column {arm_col!r} holds only the control arm {ctl!r}: there is nothing to compare")
    counts = arm.value_counts()
    small = {a: int(counts[a]) for a in [ctl, *arms] if counts[a] < MIN_PER_ARM}
    if small:
        raise DataError(f"{file}: too few customers for an experiment analysis: " + ", ".join(
            f"arm {a!r} has {n}" for a, n in small.items()) + f" (at least {MIN_PER_ARM} per arm are needed for "
            "effects with intervals, balance checks and uplift models on held-out folds)")
    data = df.copy()
    data[arm_col] = arm
    binary, maps = [], {}
    for col in outcomes:
        y, is_binary, mapping = _outcome(df, col, file, declared_binary=col in declared, extra=outcome_values)
        gone = np.flatnonzero(y.isna().to_numpy())
        if gone.size:
            raise DataError(f"{file}: outcome {col!r} is empty at {file_rows(gone)} ({gone.size} in all); every "
                            "customer of the experiment needs a value (parameter outcomes)")
        if y.nunique() < 2:
            raise DataError(f"{file}: outcome {col!r} takes the single value {y.iloc[0]:g} for every customer: there "
                            "is no effect to estimate (parameter outcomes)")
        data[col] = y.to_numpy()
        if is_binary:
            binary.append(col)
        if mapping:
            maps[col] = mapping
    return Experiment(data, str(path), file, bundled, arm_col, ctl, arms, outcomes, binary, maps)


def split_labels(expected_split: dict | None, exp: Experiment) -> dict | None:
    """The design split with its arm labels as text (``{0: 0.5}`` -> ``{"0": 0.5}``), checked against the arms."""
    if not expected_split:
        return None
    out = {str(k).strip() if not isinstance(k, float) or not k.is_integer() else str(int(k)): float(v)
           for k, v in expected_split.items()}
    unknown = [k for k in out if k not in [exp.control, *exp.arms]]
    if unknown:
        raise ParameterError(f"parameter 'expected_split' names arm(s) {unknown} that column {exp.arm_col!r} of "
                             f"{exp.file} does not hold; its arms: {[exp.control, *exp.arms]}")
    return out


def open_survival(path, *, sheet=None, duration_col: str, event_col: str, event_values=None, censor_values=None,
                  strata_col: str, columns: dict | None = None) -> Survival:
    """Read and check the churn table (see the module docstring).

    Raises
    ------
    DataError
        An unreadable or empty file; a column a parameter names that the file lacks; durations missing,
        not numeric or negative; churn labels that are neither events nor censorings; missing groups; too
        few customers (fewer than :data:`MIN_SURVIVAL`), no churn at all, a single group or too many
        groups (more than :data:`MAX_GROUPS`).
    """
    from crmlab import survival as sv

    df, file, bundled = _read(path, sheet, "survival_data")
    require(df, file, {"duration_col": duration_col, "event_col": event_col, "strata_col": strata_col,
                       **(columns or {})})
    if len(df) < MIN_SURVIVAL:
        raise DataError(f"{file}: too few customers for a time-to-churn analysis: {len(df)} (at least "
                        f"{MIN_SURVIVAL}; parameter survival_data)")
    raw = df[duration_col]
    d = _numbers(raw) if raw.dtype == object else pd.to_numeric(raw, errors="coerce")
    if d is None:  # some values are not numbers: those are the rows to name
        d = pd.to_numeric(raw.astype(str).str.strip().str.replace(",", "", regex=False), errors="coerce")
    bad = np.flatnonzero(d.isna().to_numpy())
    if bad.size:
        raise DataError(f"{file}: column {duration_col!r} (parameter duration_col) is empty or not a number at "
                        f"{file_rows(bad)} (values {list(raw.iloc[bad[:5]])}); every customer needs a time as a "
                        "customer")
    neg = np.flatnonzero((d < 0).to_numpy())
    if neg.size:
        raise DataError(f"{file}: column {duration_col!r} (parameter duration_col) is negative at {file_rows(neg)} "
                        f"(values {list(d.iloc[neg[:5]])})")
    df = df.assign(**{duration_col: d.to_numpy()})
    dur, ev, strata = sv.check_survival(df, duration_col, event_col, event_values=event_values,
                                        censor_values=censor_values, strata_col=strata_col, source=file)
    if ev.sum() == 0:
        raise DataError(f"{file}: no customer churned (every value of {event_col!r} reads as still a customer): there "
                        "is no time to churn to estimate (parameters event_col, event_values)")
    groups = pd.unique(strata)
    if len(groups) < 2:
        raise DataError(f"{file}: column {strata_col!r} (parameter strata_col) holds the single group {groups[0]!r}; "
                        "the survival curves, the log-rank test and the RMST compare groups, so choose a column "
                        "with 2 to 12 groups (a contract type, a plan, a region)")
    if len(groups) > MAX_GROUPS:
        raise DataError(f"{file}: column {strata_col!r} (parameter strata_col) has {len(groups):,} groups; the "
                        f"curves and tests compare at most {MAX_GROUPS}, so choose a column with a few groups (a "
                        "contract type, a plan, a region)")
    labels = df[event_col]
    event_map = {}
    if labels.dtype == object:
        for value, code in zip(labels, ev):
            if value not in event_map:
                event_map[value] = int(code)
    return Survival(df, str(path), file, bundled, duration_col, event_col, strata_col, dur, ev, strata, event_map)


# --------------------------------------------------------------------------- both parts
def merged_codebook(codebook, paths):
    """The codebook of the run: the one given (``codebook``), else those beside the data files merged (the
    first file's entries first; the first currency found)."""
    from crmlab.core.codebook import Codebook, find_codebook

    if codebook:
        return find_codebook(codebook, None)
    books = [b for b in (find_codebook(None, p) for p in paths if p) if b is not None]
    if not books:
        return None
    if len(books) == 1:
        return books[0]
    out = Codebook(source=", ".join(str(b.source) for b in books))
    for b in reversed(books):
        out.columns.update(b.columns)
        out.constructs.update(b.constructs)
        out.values.update(b.values)
    out.currency = next((b.currency for b in books if b.currency), None)
    return out


def time_unit_of(time_unit: str | None, codebook, duration_col: str | None) -> str | None:
    """The unit of the durations: the ``time_unit`` parameter, else the codebook's unit of ``duration_col``
    when it is a time unit, else None."""
    if time_unit:
        if time_unit not in TIME_UNITS:
            raise ParameterError(f"parameter 'time_unit' must be one of {list(TIME_UNITS)}, got {time_unit!r}")
        return time_unit
    entry = codebook.columns.get(duration_col) if codebook is not None and duration_col else None
    unit = (entry.unit or "").strip().lower() if entry is not None else ""
    unit = unit if unit.endswith("s") else unit + "s"
    return unit if unit in TIME_UNITS else None


def open_parts(*, experiment=None, sheet=None, arm_col=None, control=None, outcomes=(), binary_outcomes=(),
               outcome_values=None, experiment_columns=None, survival_data=None, survival_sheet=None,
               duration_col=None, event_col=None, event_values=None, censor_values=None, strata_col=None,
               survival_columns=None, codebook=None, time_unit=None) -> Parts:
    """Both tables of a run (either may be None, not both), their codebook and the unit of time."""
    if not experiment and not survival_data:
        raise ParameterError("parameters 'experiment' and 'survival_data' are both None: give an experiment table, "
                             "a churn table, or both")
    exp = None if not experiment else open_experiment(
        experiment, sheet=sheet, arm_col=arm_col, control=control, outcomes=outcomes, binary_outcomes=binary_outcomes,
        outcome_values=outcome_values, columns=experiment_columns)
    surv = None if not survival_data else open_survival(
        survival_data, sheet=survival_sheet if survival_sheet is not None else sheet, duration_col=duration_col,
        event_col=event_col, event_values=event_values, censor_values=censor_values, strata_col=strata_col,
        columns=survival_columns)
    cb = merged_codebook(codebook, [experiment, survival_data])
    return Parts(exp, surv, cb, time_unit_of(time_unit, cb, duration_col if surv is not None else None))


def variables_table(parts: Parts, used) -> pd.DataFrame:
    """The variables appendix: one row per column the run used (``used``: ``(table, column, role)`` triples,
    table ``experiment`` or ``survival``): ``variable`` (the code), ``data_table``, ``role``, ``label_en``,
    ``label_zh`` (from the codebook; empty without one) and ``unit`` (the codebook's; the time unit for the
    durations)."""
    cb = parts.codebook
    rows, seen = [], set()
    for table, col, role in used:
        if not col or (table, col) in seen:
            continue
        seen.add((table, col))
        entry = cb.columns.get(col) if cb is not None else None
        unit = entry.unit if entry is not None and entry.unit else ""
        if parts.surv is not None and table == "survival" and col == parts.surv.duration_col and parts.time_unit:
            unit = parts.time_unit
        rows.append({"variable": col, "data_table": table, "role": role,
                     "label_en": entry.en if entry is not None and entry.en else "",
                     "label_zh": entry.zh if entry is not None and entry.zh else "", "unit": unit})
    return pd.DataFrame(rows, columns=["variable", "data_table", "role", "label_en", "label_zh", "unit"])
