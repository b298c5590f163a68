"""Study 4, retention experiments and time to churn: design, randomisation checks, effects, sequential
monitoring, ratio metrics, uplift, targeting value, budgeted targeting, survival (with R's proportional-hazards
check), churn by reason, parametric time to churn, contract renewals (sBG) and churn early warning; each part runs
when its table is given (an experiment table, a churn table, or both)."""
from crmlab.studies.retention import findings, plots, sentences, steps, tables, text

__all__ = ["begin", "findings", "plots", "sentences", "setup", "steps", "tables", "text"]


def setup(lang: str = "en", **tables):
    """Start the study in ``lang`` (``en`` or ``zh``): with the tables' parameters (those of :func:`begin`), read
    and check them and show the title, the key-findings box and the introduction, and return the
    :class:`.steps.Parts`; without them, only set the language and the study's words (None)."""
    from crmlab.report.i18n import use_catalog, use_lang

    use_lang(lang)
    use_catalog(text.CATALOG)
    return begin(**tables) if tables else None


def begin(*, experiment=None, sheet=None, arm_col=None, control=None, outcomes=(), binary_outcomes=(),
          outcome_values=None, experiment_columns=None, survival_data=None, survival_sheet=None, duration_col=None,
          event_col=None, event_values=None, censor_values=None, strata_col=None, survival_columns=None,
          codebook=None, currency=None, time_unit=None, money_columns=()):
    """Read and check the run's tables (:func:`.steps.open_parts`; either may be None), then show the title, the
    key-findings box and the introduction: the bundled Hillstrom experiment and telco churn table are described
    only when they are the data, the user's files otherwise (file, customers, columns used, answers read as yes
    and no), and a part without a table is said to be left out.

    ``experiment_columns`` / ``survival_columns`` map further parameters to the columns they name (checked to be
    in the files); ``currency`` (``USD``, ``CNY``...) defaults to the codebook's, ``time_unit`` to the codebook's
    unit of ``duration_col``; ``money_columns`` are further columns holding money (:func:`.steps.money_columns`:
    the outcomes worth 1 of the currency per unit, the value per period). Returns the :class:`.steps.Parts`.
    """
    from crmlab.report import current_lang, start
    from crmlab.report.fmt import use_currency
    from crmlab.report.i18n import use_codebook

    parts = steps.open_parts(
        experiment=experiment, sheet=sheet, arm_col=arm_col, control=control, outcomes=outcomes,
        binary_outcomes=binary_outcomes, outcome_values=outcome_values, experiment_columns=experiment_columns,
        survival_data=survival_data, survival_sheet=survival_sheet, duration_col=duration_col, event_col=event_col,
        event_values=event_values, censor_values=censor_values, strata_col=strata_col,
        survival_columns=survival_columns, codebook=codebook, time_unit=time_unit)
    cb = parts.codebook
    use_codebook(cb.terms() if cb is not None else None)
    use_currency(currency or (cb.currency if cb is not None else None))
    text.use_data(cb, parts.time_unit, control=parts.exp.control if parts.exp is not None else None,
                  money_columns=money_columns)
    start(text.CATALOG, current_lang(), codebook=cb, currency=currency, **sentences.intro_values(parts))
    return parts
