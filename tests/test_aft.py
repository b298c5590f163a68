"""crmlab.aft against R survreg (R 4.2.2 Patched r83330, survival 3.5-3), and the residual-life formula
against numerical integration.

R code (``options(digits = 15)``; lung exported to tests/fixtures/lung.csv, see test_ph_test.py)::

    lung2 <- lung[!is.na(lung$ph.ecog), ]
    for (dist in c("weibull", "loglogistic")) {
        f <- survreg(Surv(time, status) ~ age + sex + ph.ecog, data = lung2, dist = dist)
        print(coef(f)); print(f$scale); print(sqrt(diag(vcov(f)))); print(f$loglik) }
    d <- read.csv("data/telco_churn/telco_churn.csv"); d$event <- as.integer(d$churn == "Yes")
    f <- survreg(Surv(tenure, event) ~ contract + monthly_charges + senior_citizen + partner + dependents +
                 internet_service + paperless_billing, data = d, subset = tenure > 0, dist = "loglogistic")
    coef(f); f$scale; sqrt(diag(vcov(f))); f$loglik; AIC(f)
"""
import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad

from crmlab.aft import (
    AFTModel,
    compare_survival_models,
    mean_residual_life,
    remaining_tenure_by_segment,
)
from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from tests.conftest import FIXTURES

LUNG_COVS = ["age", "sex", "ph.ecog"]
TELCO_COVS = ["contract", "monthly_charges", "senior_citizen", "partner", "dependents", "internet_service",
              "paperless_billing"]

# coef (Intercept, age, sex, ph.ecog), scale, se (incl. Log(scale)), loglik (model)
R_LUNG = {
    "weibull": ([6.27343525199868868, -0.00747543940840923, 0.40109054117361936, -0.33963809829728464],
                0.731108992136593,
                [0.45357771080213272, 0.00676350766740741, 0.12373256651271884, 0.08347841502854773,
                 0.06134645525997044], -1132.43874588232),
    "loglogistic": ([5.93668692061994552, -0.00807991943042864, 0.48662357089616787, -0.40461551157362419],
                    0.536141504274017,
                    [0.51207266014958408, 0.00747790705751632, 0.13489414783370449, 0.09301371940179247,
                     0.06581336537787251], -1137.48961226949),
}


@pytest.fixture(scope="module")
def lung():
    df = pd.read_csv(FIXTURES / "lung.csv").dropna(subset=["ph.ecog"]).reset_index(drop=True)
    return df.assign(dead=(df.status == 2).astype(int))


@pytest.mark.parametrize("dist", ["weibull", "loglogistic"])
def test_aft_matches_R_survreg_on_lung(lung, dist):
    coef, scale, se, ll = R_LUNG[dist]
    m = AFTModel(dist).fit(lung, "time", "dead", LUNG_COVS)
    s = m.summary()
    assert s["term"].tolist() == ["Intercept", *LUNG_COVS, "log_scale"]
    assert s["coef"].to_numpy()[:4] == pytest.approx(coef, rel=1e-5, abs=1e-6)
    assert np.exp(m.log_sigma_) == pytest.approx(scale, rel=1e-5)
    assert s["se"].to_numpy() == pytest.approx(se, rel=1e-4)
    assert m.loglik_ == pytest.approx(ll, rel=1e-9)
    assert m.aic_ == pytest.approx(-2 * ll + 2 * 5, rel=1e-9)  # identity: AIC = -2 loglik + 2 k


def test_loglogistic_aft_matches_R_survreg_on_telco_study4_design():
    # lifelines' default log-logistic tolerance (ftol 1e-6) stops ~7e-3 from survreg here; AFTModel uses 1e-12
    df = datasets.read_table(datasets.resolve_path("data/telco_churn/telco_churn.csv"))
    df = df.assign(event=(df.churn == "Yes").astype(int))
    m = AFTModel("loglogistic").fit(df, "tenure", "event", TELCO_COVS)
    assert m.n_dropped_ == 11 and m.n_ == 7032  # censored at tenure 0: S(0) = 1, no information
    r = [1.2916704233034491, 1.9936859487327001, 3.3044285383714427, 0.0399646542282140, 0.0862332538464887,
         0.6987855813123474, 0.1335673633545134, -1.8366963427762262, 1.5750211856035137, -0.2010388489425215]
    assert m.coef_.to_numpy() == pytest.approx(r, abs=1e-4)
    assert np.exp(m.log_sigma_) == pytest.approx(0.963138845449437, abs=1e-5)
    assert m.loglik_ == pytest.approx(-9100.81904316691, abs=1e-5)
    assert m.aic_ == pytest.approx(18223.6380863338, abs=1e-4)


@pytest.mark.parametrize("dist,scale,shape", [("weibull", 30.0, 0.8), ("weibull", 30.0, 2.5),
                                              ("loglogistic", 20.0, 0.7), ("loglogistic", 20.0, 1.6)])
def test_mean_residual_life_matches_numerical_integration(dist, scale, shape):
    # reference: quad of the conditional survival S(u)/S(s), written so that it does not underflow
    def cond_surv(u, s0):
        if dist == "weibull":
            return np.exp((s0 / scale) ** shape - (u / scale) ** shape)
        return (1 + (s0 / scale) ** shape) / (1 + (u / scale) ** shape)

    for s0 in (0.0, 5.0, 40.0, 300.0):
        for h in (None, 24.0):
            got = mean_residual_life(s0, dist, scale, shape, h)[0]
            if h is None and dist == "loglogistic" and shape <= 1:
                assert got == np.inf  # the mean is infinite for a log-logistic shape <= 1
                continue
            ref = quad(cond_surv, s0, np.inf if h is None else s0 + h, args=(s0,), limit=500, epsabs=1e-13,
                       epsrel=1e-12)[0]
            assert got == pytest.approx(ref, rel=1e-9)


def test_weibull_residual_life_far_in_the_tail_uses_the_asymptotic_series():
    # z = (s/scale)^shape = 900 > 500: the closed form would overflow; for shape 1 the answer is exactly scale
    assert mean_residual_life(900.0, "weibull", 1.0, 1.0)[0] == pytest.approx(1.0, rel=1e-12)
    got = mean_residual_life(60.0, "weibull", 2.0, 2.0)[0]  # z = 900
    ref = quad(lambda u: np.exp(900 - (u / 2) ** 2), 60, np.inf, epsabs=0, epsrel=1e-12)[0]
    assert got == pytest.approx(ref, rel=1e-8)


def test_expected_remaining_caps_an_infinite_mean_at_the_horizon():
    rng = np.random.default_rng(11)
    n = 4000
    x = rng.integers(0, 2, n)
    alpha = np.exp(2.5 + 0.7 * x)
    u = rng.uniform(size=n)
    t = alpha * (u / (1 - u)) ** (1 / 0.8)  # log-logistic, shape 0.8 (infinite mean)
    c = rng.uniform(5, 60, n)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x": x})
    m = AFTModel("loglogistic").fit(df, "t", "e", ["x"])
    # recovery of the generating parameters (within 3 SE)
    assert abs(m.coef_["x"] - 0.7) < 3 * m.se_["x"] and abs(m.coef_["Intercept"] - 2.5) < 3 * m.se_["Intercept"]
    assert abs(m.log_sigma_ - np.log(1 / 0.8)) < 3 * m.log_sigma_se_
    assert m.shape_ < 1
    r = m.expected_remaining(df.head(5), "t", cap=120.0)
    assert (r["restricted_to"] == 120.0).all() and np.isfinite(r["remaining"]).all()
    lam = m.scale_for(df.head(5))
    direct = mean_residual_life(df.t.head(5), "loglogistic", lam, m.shape_, 120.0)
    assert r["remaining"].to_numpy() == pytest.approx(direct, rel=1e-12)
    r24 = m.expected_remaining(df.head(5), "t", horizon=24.0)
    assert (r24["remaining"] <= 24).all() and (r24["restricted_to"] == 24).all()


def test_remaining_tenure_by_segment_averages_active_customers(lung):
    m = AFTModel("weibull").fit(lung, "time", "dead", LUNG_COVS)
    seg = remaining_tenure_by_segment(m, lung, "time", "dead", "sex").set_index("segment")
    active = lung[lung.dead == 0]
    assert seg["n_active"].sum() == len(active)
    one = active[active.sex == 1]
    direct = mean_residual_life(one.time, "weibull", m.scale_for(one), m.shape_)
    assert seg.loc["1", "mean_remaining"] == pytest.approx(direct.mean(), rel=1e-12)
    assert seg["restricted_to"].isna().all()  # Weibull means are finite
    # prediction on a subset without the reference level keeps the fitted coding
    assert m.scale_for(lung[lung["ph.ecog"] == 2].head(3)).shape == (3,)


def test_compare_survival_models_on_lung(lung):
    tab = compare_survival_models(lung, "time", "dead", LUNG_COVS).set_index("model")
    assert list(tab.index) == ["cox", "weibull", "loglogistic"]
    assert tab.loc["weibull", "loglik"] == pytest.approx(R_LUNG["weibull"][3], rel=1e-9)
    assert tab.loc["weibull", "aic"] < tab.loc["loglogistic", "aic"]  # R: -1132.44 vs -1137.49 on 5 parameters
    assert tab.loc["cox", "likelihood"] == "partial" and tab.loc["weibull", "n_params"] == 5
    assert tab["concordance"].between(0.55, 0.75).all()


def test_aft_input_errors(lung):
    bad = lung.copy()
    bad.loc[3, "time"] = 0
    with pytest.raises(DataError, match=r"events at time = 0 at rows \[4\]"):
        AFTModel("weibull").fit(bad, "time", "dead", LUNG_COVS)
    with pytest.raises(ParameterError, match="dist"):
        AFTModel("lognormal").fit(lung, "time", "dead", LUNG_COVS)
    with pytest.raises(ParameterError, match="horizon"):
        mean_residual_life(1.0, "weibull", 1.0, 1.0, horizon=0)
