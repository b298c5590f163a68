"""crmlab.ph_test against R's cox.zph (R 4.2.2 Patched r83330, survival 3.5-3), run on this machine.

R is not used at test time; the figures below were printed by R with
``options(digits = 15)``. ``tests/fixtures/lung.csv`` is ``survival::lung``
exported by ``write.csv(survival::lung, "lung.csv", row.names = FALSE)``
(status 1 = censored, 2 = dead; R's ``coxph`` drops the row with ph.ecog NA).

R code (lung)::

    library(survival)
    fit <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung)
    for (tr in c("km", "identity", "rank", "log")) print(cox.zph(fit, transform = tr)$table, digits = 15)
    z <- cox.zph(fit); print(head(cbind(z$x, z$time, z$y)), digits = 15); print(z$var, digits = 15)
    fit2 <- coxph(Surv(time, status) ~ age + ph.ecog + strata(sex), data = lung); cox.zph(fit2)$table
    fit3 <- coxph(Surv(time, status) ~ age + sex + factor(ph.ecog), data = lung)
    cox.zph(fit3)$table; cox.zph(fit3, terms = FALSE)$table

R code (telco, the design of study 4)::

    d <- read.csv("data/telco_churn/telco_churn.csv"); d$event <- as.integer(d$churn == "Yes")
    fit <- coxph(Surv(tenure, event) ~ contract + monthly_charges + senior_citizen + partner + dependents +
                 internet_service + paperless_billing, data = d)     # n = 7043 (11 with tenure 0), 1869 events
    for (tr in c("km", "identity", "rank", "log")) {
        print(cox.zph(fit, transform = tr)$table, digits = 15)
        print(cox.zph(fit, transform = tr, terms = FALSE)$table, digits = 15) }
"""
import numpy as np
import pandas as pd
import pytest

from crmlab import ph_test as ph
from crmlab.core import datasets
from crmlab.core.errors import DataError, ParameterError
from tests.conftest import FIXTURES

LUNG_COVS = ["age", "sex", "ph.ecog"]
TELCO_COVS = ["contract", "monthly_charges", "senior_citizen", "partner", "dependents", "internet_service",
              "paperless_billing"]

# cox.zph(fit, transform = tr)$table for lung: chisq per age, sex, ph.ecog, GLOBAL (df 1, 1, 1, 3)
R_LUNG = {
    "km": ([0.18798767365229, 2.30543722740497, 2.05424877405441, 4.46365758875861],
           [0.664596763116371, 0.128921998810965, 0.151782098908100, 0.215554945341796]),
    "identity": ([0.15235031725392, 2.49191321710657, 1.57823523837676, 4.11938295147948],
                 [0.696299353636709, 0.114432541341764, 0.209015076382270, 0.248858142031766]),
    "rank": ([0.117291506990152, 2.044694680235669, 2.544878392625574, 4.710680141288768],
             [0.731990838889487, 0.152737625068329, 0.110652430276465, 0.194250486596530]),
    "log": ([3.373634010749480, 2.034936878884795, 0.370496324776842, 5.389821428058948],
            [0.0662474757341238, 0.1537205658630779, 0.5427338528569563, 0.1453790557016292]),
}

# cox.zph(fit, transform = tr)$table for telco (terms = TRUE): contract, monthly_charges, senior_citizen,
# partner, dependents, internet_service, paperless_billing, GLOBAL; df 2, 1, 1, 1, 1, 2, 1, 9
R_TELCO = {
    "km": ([92.390319885632792, 109.844337445506284, 0.486490966294769, 23.934500084140048, 1.042044113753551,
            40.335039835405915, 3.845454168012982, 249.049333293756888],
           [8.66357114573210e-21, 1.05995852973626e-25, 4.85496793581913e-01, 9.96695090921453e-07,
            3.07346541255981e-01, 1.74324081680017e-09, 4.98810107379973e-02, 1.58362907287808e-48]),
    "identity": ([99.2578689020310492, 79.2866825827192940, 0.0151542327693685, 17.7504047513938232,
                  1.2952091482882679, 24.6017540878476773, 1.4060405098026534, 220.7634929544164493],
                 [2.79529485520034e-22, 5.37206039308131e-19, 9.02025908266068e-01, 2.51863902853776e-05,
                  2.55090185666798e-01, 4.54775413336202e-06, 2.35714804806665e-01, 1.44602546731670e-42]),
    "rank": ([96.608511559665487, 98.323232545908482, 0.267432431944835, 21.903790600337125, 1.284010592424114,
              33.890457932280277, 2.884462100033029, 240.734779167188663],
             [1.05130386820509e-21, 3.55372125235480e-23, 6.05059342069711e-01, 2.86667108556722e-06,
              2.57154663184544e-01, 4.37301095604678e-08, 8.94378704235542e-02, 8.99393465001757e-47]),
    "log": ([79.51784513282897, 116.49307277770191, 1.34538291524204, 26.25136790119785, 1.04257206728806,
             44.46187127711954, 5.64862040424462, 240.54330345130757],
            [5.40653878677499e-18, 3.70671680684517e-27, 2.46086906470494e-01, 2.99742434868798e-07,
             3.07224030732890e-01, 2.21425342250937e-10, 1.74691104345474e-02, 9.87026568568126e-47]),
}
TELCO_DF = [2, 1, 1, 1, 1, 2, 1, 9]


@pytest.fixture(scope="module")
def lung():
    df = pd.read_csv(FIXTURES / "lung.csv").dropna(subset=["ph.ecog"]).reset_index(drop=True)
    return df.assign(dead=(df.status == 2).astype(int))


@pytest.fixture(scope="module")
def telco():
    df = datasets.read_table(datasets.resolve_path("data/telco_churn/telco_churn.csv"))
    return df.assign(event=(df.churn == "Yes").astype(int))


@pytest.mark.parametrize("transform", ph.TRANSFORMS)
def test_cox_zph_matches_R_survival_3_5_on_lung(lung, transform):
    z = ph.cox_zph(lung, "time", "dead", LUNG_COVS, transform=transform)
    chisq, p = R_LUNG[transform]
    assert z.table["term"].tolist() == LUNG_COVS + ["GLOBAL"]
    assert z.table["df"].tolist() == [1, 1, 1, 3]
    assert z.table["chisq"].to_numpy() == pytest.approx(chisq, rel=1e-6)
    assert z.table["p"].to_numpy() == pytest.approx(p, rel=1e-6)


@pytest.mark.parametrize("transform", ph.TRANSFORMS)
def test_cox_zph_matches_R_survival_3_5_on_telco_study4_design(telco, transform):
    z = ph.cox_zph(telco, "tenure", "event", TELCO_COVS, transform=transform)
    chisq, p = R_TELCO[transform]
    assert z.table["term"].tolist() == TELCO_COVS + ["GLOBAL"]
    assert z.table["df"].tolist() == TELCO_DF
    assert z.table["chisq"].to_numpy() == pytest.approx(chisq, rel=1e-6)
    assert z.table["p"].to_numpy() == pytest.approx(p, rel=1e-6)
    assert z.n == 7043 and z.n_events == 1869


def test_cox_zph_terms_false_matches_R_on_telco_rank(telco):
    # cox.zph(fit, transform = "rank", terms = FALSE): one row per dummy. The old lifelines-based check
    # gave internet_service=No p = 0.27 against R's 3.33e-05 here.
    z = ph.cox_zph(telco, "tenure", "event", TELCO_COVS, transform="rank", terms=False).table.set_index("term")
    assert z.loc["contract=One year", "chisq"] == pytest.approx(65.194376323882608, rel=1e-6)
    assert z.loc["contract=Two year", "chisq"] == pytest.approx(18.473357644653547, rel=1e-6)
    assert z.loc["internet_service=Fiber optic", "chisq"] == pytest.approx(28.101117308731737, rel=1e-6)
    assert z.loc["internet_service=No", "chisq"] == pytest.approx(17.219140501380618, rel=1e-6)
    assert z.loc["internet_service=No", "p"] == pytest.approx(3.33063717143419e-05, rel=1e-6)
    assert z.loc["GLOBAL", "chisq"] == pytest.approx(240.734779167188663, rel=1e-6)


def test_cox_zph_factor_term_matches_R_on_lung(lung):
    df = lung.assign(ecog=lung["ph.ecog"].astype(int).astype(str))
    z = ph.cox_zph(df, "time", "dead", ["age", "sex", "ecog"])
    # R: coefficients 0.0107946755282404 -0.5458305192057288 0.4100480149192747 0.9033030096472061 1.9545433781439037
    assert z.coef.to_numpy() == pytest.approx([0.0107946755282404, -0.5458305192057288, 0.4100480149192747,
                                               0.9033030096472061, 1.9545433781439037], abs=1e-7)
    assert z.table["df"].tolist() == [1, 1, 3, 5]
    assert z.table["chisq"].to_numpy() == pytest.approx([0.16322458248098, 2.40642606269018, 5.64986362941724,
                                                         7.77673138809668], rel=1e-6)
    zf = ph.cox_zph(df, "time", "dead", ["age", "sex", "ecog"], terms=False).table
    assert zf["chisq"].to_numpy()[2:5] == pytest.approx([1.09253323465039, 2.95547740325867, 2.77057264781466],
                                                        rel=1e-6)
    # scaled residuals of the factor term (linear predictor, centred at 1): R z$y[1:3, "factor(ph.ecog)"]
    assert z.residuals["ecog"].to_numpy()[:3] == pytest.approx([-4.245609504022189, 3.643456006461907,
                                                               -5.107218731377770], rel=1e-6)


def test_cox_zph_strata_matches_R_on_lung(lung):
    z = ph.cox_zph(lung, "time", "dead", ["age", "ph.ecog"], strata="sex")
    assert z.table["chisq"].to_numpy() == pytest.approx([0.133470723862671, 2.182400689479594,
                                                         2.200478902079944], rel=1e-6)
    assert z.table["p"].to_numpy() == pytest.approx([0.714860270634335, 0.139596562066246, 0.332791386913031],
                                                    rel=1e-6)
    # z2$y[1:3, ]: first events of stratum sex=1 (time 11)
    r = z.residuals.iloc[:3]
    assert r["stratum"].tolist() == ["1"] * 3 and r["time"].tolist() == [11, 11, 11]
    assert r["age"].to_numpy() == pytest.approx([0.1218043049192840, 0.2778523562948551, 0.0527643793612935],
                                                rel=1e-6)
    assert r["ph.ecog"].to_numpy() == pytest.approx([1.8976807271602190, -2.6251341755962829,
                                                    -0.0591982838565004], rel=1e-6)


def test_scaled_schoenfeld_residuals_and_var_match_R_on_lung(lung):
    z = ph.cox_zph(lung, "time", "dead", LUNG_COVS)
    r = z.residuals
    # R: head(cbind(z$x, z$time, z$y)) for transform = "km"
    assert r["time"].tolist()[:6] == [5, 11, 11, 11, 12, 13]
    assert r["x"].to_numpy()[:6] == pytest.approx([0, 0.00440528634361237, 0.00440528634361237,
                                                   0.00440528634361237, 0.01762114537444937, 0.02202643171806173],
                                                  abs=1e-12)
    assert r["age"].to_numpy()[:3] == pytest.approx([0.0596552515373132, 0.1268490876397371, 0.2851976977592517],
                                                    rel=1e-6)
    assert r["sex"].to_numpy()[:3] == pytest.approx([3.00589500372551, -1.90814291710008, -1.59812622587298],
                                                    rel=1e-6)
    assert r["ph.ecog"].to_numpy()[:3] == pytest.approx([-2.2292645718606714, 1.8799535879673968,
                                                        -2.5603138790765634], rel=1e-6)
    assert len(r) == z.n_events == 164
    assert z.var.to_numpy() == pytest.approx(np.array([
        [0.01408512473108470, 0.000706828456899109, -0.0298763685009609],
        [0.00070682845689911, 4.614367987133221938, -0.1525344460144013],
        [-0.02987636850096088, -0.152534446014401248, 2.1155664437686168]]), rel=1e-6)


def test_zph_smooth_matches_R_plot_cox_zph_curve(lung):
    # The curve and +-2 SE band of survival:::plot.cox.zph (3.5-3), recomputed in R with its own code:
    #   xx <- z$x; pred.x <- seq(min(xx), max(xx), length = 40); lmat <- ns(c(pred.x, xx), df = 4, intercept = TRUE)
    #   pmat <- lmat[1:40, ]; xmat <- lmat[-(1:40), ]; qmat <- qr(xmat); yhat <- pmat %*% qr.coef(qmat, z$y[, i])
    #   bk <- backsolve(qmat$qr[1:4, 1:4], diag(4)); xtx <- bk %*% t(bk)
    #   seval <- ((pmat %*% xtx) * pmat) %*% rep(1, 4); yhat -+ 2 * sqrt(z$var[i, i] * seval)
    # rows 1, 10, 20, 40: pred.x, yhat, lower, upper
    z = ph.cox_zph(lung, "time", "dead", LUNG_COVS)
    got = ph.zph_smooth(z, "sex").iloc[[0, 9, 19, 39]].to_numpy()
    r = np.array([[0.000000000000000, -1.007464667744986, -2.08926675093115, 0.0743374154411767],
                  [0.215210044703294, -0.676670758819144, -1.25514553165061, -0.0981959859876761],
                  [0.454332316595843, -0.560787253636068, -1.09380044952004, -0.0277740577520974],
                  [0.932576860380941, 0.197443123797906, -1.14308643042117, 1.5379726780169849]])
    assert got == pytest.approx(r, rel=1e-6, abs=1e-9)
    zi = ph.cox_zph(lung, "time", "dead", LUNG_COVS, transform="identity")
    got = ph.zph_smooth(zi, "age").iloc[[0, 9, 19, 39]].to_numpy()
    r = np.array([[5.000000000000, 0.1031599592127001, 0.04263430425320019, 0.16368561417220004],
                  [207.615384615385, -0.0308757632237536, -0.06071785723801947, -0.00103366920948768],
                  [432.743589743590, 0.0443488538510914, 0.00683770944992739, 0.08185999825225537],
                  [883.000000000000, -0.0664583431197853, -0.17711698410888757, 0.04420029786931692]])
    assert got == pytest.approx(r, rel=1e-6, abs=1e-9)


def test_cox_zph_is_invariant_to_row_order_on_telco(telco):
    # tenure is whole months, so event times are heavily tied: tied times are one group, whatever their order
    base = ph.cox_zph(telco, "tenure", "event", TELCO_COVS, transform="rank", terms=False).table
    shuffled = telco.iloc[np.random.default_rng(7).permutation(len(telco))].reset_index(drop=True)
    again = ph.cox_zph(shuffled, "tenure", "event", TELCO_COVS, transform="rank", terms=False).table
    assert again["chisq"].to_numpy() == pytest.approx(base["chisq"].to_numpy(), rel=1e-9)
    assert again["p"].to_numpy() == pytest.approx(base["p"].to_numpy(), rel=1e-8)


def test_zph_from_lifelines_fit_with_get_dummies_design_matches_R_on_telco(telco):
    # the design crmlab.survival.cox_ph builds: get_dummies(drop_first) puts numeric columns first
    from lifelines import CoxPHFitter
    X = pd.get_dummies(telco[TELCO_COVS], drop_first=True, dtype=float, prefix_sep="=")
    data = pd.concat([telco[["tenure", "event"]].astype(float), X], axis=1)
    cph = CoxPHFitter().fit(data, "tenure", "event")
    z = ph.zph_from_lifelines(cph, data, covariates=TELCO_COVS)
    assert z.table["term"].tolist() == TELCO_COVS + ["GLOBAL"]
    assert z.table["chisq"].to_numpy() == pytest.approx(R_TELCO["km"][0], rel=1e-6)
    assert z.to_dict()["contract"]["df"] == 2


def test_zph_from_lifelines_stratified_fit_matches_R_on_lung(lung):
    from lifelines import CoxPHFitter
    data = lung[["time", "dead", "age", "ph.ecog", "sex"]]
    cph = CoxPHFitter().fit(data, "time", "dead", strata=["sex"])
    z = ph.zph_from_lifelines(cph, data)
    assert z.table["chisq"].to_numpy() == pytest.approx([0.133470723862671, 2.182400689479594,
                                                         2.200478902079944], rel=1e-6)


def test_plot_zph_draws_residuals_and_band(lung):
    import matplotlib
    matplotlib.use("Agg")
    z = ph.cox_zph(lung, "time", "dead", LUNG_COVS)
    fig = ph.plot_zph(z, "sex", xlabel="days", ylabel="beta(t)", title="sex")
    ax = fig.axes[0]
    assert len(ax.collections[0].get_offsets()) == 164 and len(ax.lines) == 4
    assert ax.get_xlabel() == "days" and ax.get_title() == "sex"


def test_cox_zph_input_errors_name_column_and_rows(lung):
    bad = lung.copy()
    bad.loc[[2, 5], "age"] = np.nan
    with pytest.raises(DataError, match=r"'age' is missing at rows \[3, 6\]"):
        ph.cox_zph(bad, "time", "dead", LUNG_COVS)
    with pytest.raises(ParameterError, match="transform"):
        ph.cox_zph(lung, "time", "dead", LUNG_COVS, transform="loglog")
    with pytest.raises(DataError, match="event column 'status' must hold 0/1"):
        ph.cox_zph(lung, "time", "status", LUNG_COVS)
    zero = lung.copy()
    zero.loc[0, "time"] = 0.0
    zero.loc[0, "dead"] = 1
    with pytest.raises(DataError, match="transform='log' needs positive event times"):
        ph.cox_zph(zero, "time", "dead", LUNG_COVS, transform="log")
