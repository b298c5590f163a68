"""Ordinal logit and OLS-HC3 models for rating outcomes.

Reference for the ordinal model: R ``ordinal::clm`` on the ``wine`` data of
the ordinal package (Randall 1989; 72 ratings, 5 levels),
``summary(clm(rating ~ temp + contact, data = wine))``; the same output is
printed in the package's clm tutorial (R. H. B. Christensen, "Analysis of
ordinal data with cumulative link models - estimation with the R-package
ordinal") and in public R Markdown course notes on ordinal regression::

     link  threshold nobs logLik AIC    niter max.grad cond.H
     logit flexible  72   -86.49 184.98 6(0)  4.02e-12 2.7e+01

    Coefficients:
               Estimate Std. Error z value Pr(>|z|)
    tempwarm     2.5031     0.5287   4.735 2.19e-06 ***
    contactyes   1.5278     0.4766   3.205  0.00135 **

    Threshold coefficients:
        Estimate Std. Error z value
    1|2  -1.3444     0.5171  -2.600
    2|3   1.2508     0.4379   2.857
    3|4   3.4669     0.5978   5.800
    4|5   5.0064     0.7309   6.850

The wine columns below are rating/temp/contact in the row order of
``data(wine)`` (as exported by Rdatasets, csv/ordinal/wine.csv).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import ConvergenceError, DataError
from crmlab.survey_models import compare_models, fit_ols, fit_ordinal

WINE_RATING = "233444551213235423325544323232532343333332322454112223232223333412323244"
WINE_TEMP = "CCCCWWWW" * 9
WINE_CONTACT = "NNYYNNYY" * 9
DRIVERS = [f"q{i}" for i in range(2, 11)]


@pytest.fixture(scope="module")
def wine():
    return pd.DataFrame({"rating": [int(c) for c in WINE_RATING],
                         "warm": [int(c == "W") for c in WINE_TEMP],
                         "contact": [int(c == "Y") for c in WINE_CONTACT]})


@pytest.fixture(scope="module")
def sat():
    return datasets.load_customer_sat()


@pytest.fixture(scope="module")
def sat_fit(sat):
    return fit_ordinal(sat, "q1", DRIVERS)


def test_wine_data_margins(wine):
    # table(wine$rating) = 5 22 26 12 7
    assert np.bincount(wine["rating"])[1:].tolist() == [5, 22, 26, 12, 7]


def test_ordinal_matches_R_clm_wine(wine):
    f = fit_ordinal(wine, "rating", ["warm", "contact"])
    np.testing.assert_allclose(f.coef["coef"], [2.5031, 1.5278], atol=5e-5)
    np.testing.assert_allclose(f.coef["se"], [0.5287, 0.4766], atol=5e-5)
    np.testing.assert_allclose(f.coef["z"], [4.735, 3.205], atol=5e-4)
    np.testing.assert_allclose(f.thresholds, [-1.3444, 1.2508, 3.4669, 5.0064], atol=5e-5)
    assert f.thresholds.index.tolist() == ["1|2", "2|3", "3|4", "4|5"]
    assert f.loglik == pytest.approx(-86.49, abs=5e-3)
    assert f.aic == pytest.approx(184.98, abs=5e-3)


def test_ordinal_agrees_with_statsmodels_ordered_model(sat, sat_fit):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    y = pd.Series(pd.Categorical(sat["q1"], ordered=True))
    res = OrderedModel(y, sat[DRIVERS].astype(float), distr="logit").fit(method="newton", disp=False, maxiter=200)
    np.testing.assert_allclose(sat_fit.coef["coef"], res.params[DRIVERS], atol=1e-4)
    cuts = OrderedModel(y, sat[DRIVERS].astype(float), distr="logit").transform_threshold_params(res.params)[1:-1]
    np.testing.assert_allclose(sat_fit.thresholds, cuts, atol=1e-3)
    assert sat_fit.loglik == pytest.approx(res.llf, abs=1e-5)


def test_odds_ratio_interval_is_the_wald_interval_of_R_clm_wine(wine):
    # Wald interval exp(estimate -/+ qnorm(0.975) * se) computed from the published clm estimates and standard
    # errors quoted above (R ordinal is not installed here; the interval is an identity on those numbers)
    f = fit_ordinal(wine, "rating", ["warm", "contact"])
    z = 1.959963984540054
    np.testing.assert_allclose(f.coef["ci_low"], np.exp(np.array([2.5031, 1.5278]) - z * np.array([0.5287, 0.4766])),
                               rtol=5e-4)
    np.testing.assert_allclose(f.coef["ci_high"], np.exp(np.array([2.5031, 1.5278]) + z * np.array([0.5287, 0.4766])),
                               rtol=5e-4)
    f90 = fit_ordinal(wine, "rating", ["warm", "contact"], level=0.90)
    assert (f90.coef["ci_low"] > f.coef["ci_low"]).all() and (f90.coef["ci_high"] < f.coef["ci_high"]).all()


def test_ols_interval_columns_match_statsmodels_conf_int(sat):
    import statsmodels.api as sm

    f = fit_ols(sat, "q1", DRIVERS, level=0.9)
    ref = sm.OLS(sat["q1"].astype(float), sm.add_constant(sat[DRIVERS].astype(float))).fit(cov_type="HC3")
    ci = ref.conf_int(alpha=0.1)
    np.testing.assert_allclose(f.coef[["ci_low", "ci_high"]].to_numpy(), ci.to_numpy(), rtol=1e-10)


def test_ordinal_non_convergence_raises_convergence_error(wine):
    with pytest.raises(ConvergenceError, match=r"ordinal model of 'rating' did not converge \(BFGS, maxiter=1"):
        fit_ordinal(wine, "rating", ["warm", "contact"], maxiter=1)


def test_predicted_probabilities_by_hand(wine):
    f = fit_ordinal(wine, "rating", ["warm", "contact"])
    prof = pd.DataFrame({"warm": [0, 1], "contact": [0, 1]}, index=["cold/no", "warm/yes"])
    P = f.predict_proba(prof)
    np.testing.assert_allclose(P.sum(1), 1)
    eta = 2.503104 + 1.527786
    theta = f.thresholds.to_numpy()

    def F(t):
        return 1 / (1 + np.exp(-t))

    assert P.loc["warm/yes", 5.0] == pytest.approx(1 - F(theta[3] - eta), abs=1e-5)
    assert P.loc["cold/no", 1.0] == pytest.approx(F(theta[0]), abs=1e-6)
    assert f.expected(prof)[1] == pytest.approx(P.loc["warm/yes"].to_numpy() @ np.arange(1, 6))


def test_marginal_effects_are_discrete_changes(sat, sat_fit):
    me = sat_fit.marginal_effects(sat)
    prob_cols = [c for c in me.columns if c.startswith("dP(")]
    np.testing.assert_allclose(me[prob_cols].sum(1), 0, atol=1e-12)
    shifted = sat.copy()
    shifted["q4"] = shifted["q4"] + 1
    manual = (sat_fit.expected(shifted[DRIVERS]) - sat_fit.expected(sat[DRIVERS])).mean()
    assert me.loc["q4", "d_expected"] == pytest.approx(manual)
    # positive coefficient -> higher expected score
    assert np.all(np.sign(me["d_expected"]) == np.sign(sat_fit.coef["coef"]))


def test_ols_hc3_matches_sandwich_by_hand(sat):
    f = fit_ols(sat, "q1", DRIVERS)
    X = np.column_stack([np.ones(len(sat)), sat[DRIVERS].to_numpy(float)])
    y = sat["q1"].to_numpy(float)
    XtXi = np.linalg.inv(X.T @ X)
    b = XtXi @ X.T @ y
    e = y - X @ b
    h = np.einsum("ij,jk,ik->i", X, XtXi, X)
    V = XtXi @ (X.T * (e**2 / (1 - h) ** 2)) @ X @ XtXi
    np.testing.assert_allclose(f.coef["coef"], b, rtol=1e-10)
    np.testing.assert_allclose(f.coef["se_hc3"], np.sqrt(np.diag(V)), rtol=1e-10)
    assert set(f.to_record()) == set(DRIVERS)


def test_weighted_ols_equals_replication(sat):
    sub = sat.iloc[:400]
    w = np.tile([1, 3], 200)
    a = fit_ols(sub, "q1", DRIVERS, weights=w).coef["coef"]
    b = fit_ols(sub.loc[sub.index.repeat(w)], "q1", DRIVERS).coef["coef"]
    np.testing.assert_allclose(a, b, rtol=1e-10)


def test_compare_models_table(sat, sat_fit):
    t = compare_models(sat_fit, fit_ols(sat, "q1", DRIVERS))
    assert t.index.tolist() == DRIVERS
    assert np.corrcoef(t["ordinal_coef"], t["ols_coef"])[0, 1] > 0.9
    rec = sat_fit.to_record()
    assert list(rec["coef"]) == DRIVERS and len(rec["thresholds"]) == 9


# --- bad input ---------------------------------------------------------------------------

def test_outcome_with_two_levels_is_refused(wine):
    df = wine.assign(rating=(wine["rating"] > 3).astype(int))
    with pytest.raises(DataError, match=r"outcome 'rating' has only 2 observed level"):
        fit_ordinal(df, "rating", ["warm", "contact"])


def test_text_constant_and_collinear_drivers(sat):
    bad = sat.astype(object)
    bad.loc[5, "q3"] = "good"
    with pytest.raises(DataError, match=r"'q3' holds non-numeric answers \['good'\] in rows 5"):
        fit_ordinal(bad, "q1", DRIVERS)
    with pytest.raises(DataError, match=r"\['q2'\] are constant"):
        fit_ols(sat.assign(q2=3), "q1", DRIVERS)
    with pytest.raises(DataError, match="perfectly collinear"):
        fit_ordinal(sat.assign(q11=sat["q2"] * 2 + 1), "q1", DRIVERS + ["q11"])
    with pytest.raises(DataError, match=r"weights are negative in rows 2"):
        fit_ols(sat, "q1", DRIVERS, weights=np.r_[1, 1, -1, np.ones(len(sat) - 3)])


def test_five_respondents_for_nine_drivers_are_too_few_not_collinear(sat):
    for fit in (fit_ols, fit_ordinal):
        with pytest.raises(DataError, match=r"too few respondents for 9 drivers: 5 respondent\(s\)"):
            fit(sat.iloc[:5], "q1", DRIVERS)
