"""Study 4's words about its data: the introduction's description of the tables of the run (the bundled ones by
name only when they are used, the user's files otherwise, and a part without a table said to be left out), the
answers read as yes and no, and the roles of the columns in the variables appendix."""
from __future__ import annotations

from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import md_escape
from crmlab.studies.retention.captions import INTRO
from crmlab.studies.retention.text import arm_names, name, names, time_unit


def _zh() -> bool:
    return current_lang() == "zh"


def _intro(key: str, **values) -> str:
    return INTRO[key][current_lang()].format(**values)


def value_maps_line(maps: dict) -> str:
    """The answers read as 1 and 0, per column: ``Coupon used: 是 → 1, 否 → 0`` (empty without any)."""
    if not maps:
        return ""
    sep = "；" if _zh() else "; "
    parts = [f"{name(col)}" + ("：" if _zh() else ": ") + ("，" if _zh() else ", ").join(
        f"{md_escape(str(k))} → {v}" for k, v in sorted(m.items(), key=lambda kv: -kv[1])) for col, m in maps.items()]
    return _intro("values", maps=sep.join(parts))


def _experiment(exp) -> str:
    if exp.bundled and exp.file == "hillstrom.csv":
        out = _intro("hillstrom", rows=f"{len(exp.data):,}")
    else:
        out = _intro("experiment", file=md_escape(exp.file), rows=f"{len(exp.data):,}", k=len(exp.arms) + 1,
                     arms=arm_names(exp.arms), control=name(exp.control), outcomes=names(exp.outcomes))
    maps = value_maps_line(exp.value_maps)
    return out + ((" " if not _zh() else "") + maps if maps else "")


def _survival(surv) -> str:
    if surv.bundled and surv.file == "telco_churn.csv":
        out = _intro("telco", rows=f"{len(surv.data):,}", n_cols=surv.data.shape[1] - 3)
    else:
        from crmlab.studies.retention.text import _DATA

        unit = time_unit() + ("" if _DATA["time_unit"] else pick(en=", unknown: set the parameter `time_unit`",
                                                                 zh="，单位未知：请设置参数 `time_unit`"))
        out = _intro("survival", file=md_escape(surv.file), rows=f"{len(surv.data):,}",
                     churned=f"{int(surv.events.sum()):,}", duration=name(surv.duration_col), unit=unit,
                     event=name(surv.event_col), strata=name(surv.strata_col))
    maps = value_maps_line({surv.event_col: surv.event_map}) if surv.event_map else ""
    return out + ((" " if not _zh() else "") + maps if maps else "")


def intro_values(parts) -> dict[str, str]:
    """The placeholders of the introduction: ``data`` (a paragraph per table, or the part left out) and ``steps``
    (the steps of the parts that run)."""
    data = [_experiment(parts.exp) if parts.exp is not None else _intro("no_experiment"),
            _survival(parts.surv) if parts.surv is not None else _intro("no_survival")]
    steps = [_intro("steps_experiment")] if parts.exp is not None else []
    steps += [_intro("steps_survival")] if parts.surv is not None else []
    return {"data": "\n\n".join(data), "steps": ("" if _zh() else " ").join(steps)}


def used_columns(parts, *, covariates=(), segments=(), arrival_col=None, ratio_covariates=(), cox_covariates=(),
                 value_col=None, reason_col=None, id_col=None, predictors=()) -> list[tuple[str, str, str]]:
    """``(table, column, role)`` of every column the run used, for the variables appendix."""
    out = []
    if parts.exp is not None:
        e = parts.exp
        out += [("experiment", e.arm_col, "role_arm")] + [("experiment", c, "role_outcome") for c in e.outcomes]
        out += [("experiment", c, "role_covariate") for c in [*covariates, *ratio_covariates]]
        out += [("experiment", c, "role_segment") for c in segments]
        out += [("experiment", arrival_col, "role_arrival")] if arrival_col else []
    if parts.surv is not None:
        s = parts.surv
        out += [("survival", s.duration_col, "role_duration"), ("survival", s.event_col, "role_event"),
                ("survival", s.strata_col, "role_strata")]
        out += [("survival", c, "role_cox") for c in cox_covariates]
        out += [("survival", value_col, "role_value")] if value_col else []
        out += [("survival", reason_col, "role_reason")] if reason_col else []
        out += [("survival", id_col, "role_id")] if id_col else []
        out += [("survival", c, "role_predictor") for c in predictors]
    return out


def parts_note(parts) -> str:
    """Which parts of the study ran, in one sentence (for the summary)."""
    if parts.exp is not None and parts.surv is not None:
        return ""
    if parts.exp is None:
        return pick(en="This run had no experiment table: it covers time to churn and churn early warning.",
                    zh="本次运行没有实验表，只包括流失时间和流失预警部分。")
    return pick(en="This run had no churn table: it covers the retention experiment.",
                zh="本次运行没有流失表，只包括客户保留实验部分。")


def role(key: str) -> str:
    """A role of the variables appendix in words."""
    return term(key)
