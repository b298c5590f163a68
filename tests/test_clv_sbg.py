"""Shifted-beta-geometric model against Fader & Hardie (2007, 2010), R and exact identities."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln

from crmlab.clv.sbg import ShiftedBetaGeometric, sbg_by_segment, survivor_records, survivor_table
from crmlab.core import datasets
from crmlab.core.errors import ConvergenceError, DataError, ParameterError

# Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1), Table 1:
# customers still active at the start and the end of years 1-12, per 1,000 acquired (Berry & Linoff's
# two cohorts).  The same counts appear in several independent re-implementations (R/Stan, Python).
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.fixture(scope="module")
def regular():
    return ShiftedBetaGeometric().fit_survivors(REGULAR[:8])


@pytest.fixture(scope="module")
def high_end():
    return ShiftedBetaGeometric().fit_survivors(HIGH_END[:8])


@pytest.fixture(scope="module")
def telco_mtm():
    d = datasets.load_telco_churn()
    return d[d["contract"] == "Month-to-month"]


def test_sbg_matches_fader_hardie_2007_published_estimates(regular, high_end):
    # FH (2007), fitted on years 1-7: regular alpha=0.704, beta=1.182, LL=-1680.27;
    # high end alpha=0.668, beta=3.806, LL=-1611.16
    assert regular.params_["alpha"] == pytest.approx(0.704, abs=6e-4)
    assert regular.params_["beta"] == pytest.approx(1.182, abs=6e-4)
    assert regular.loglik_ == pytest.approx(-1680.27, abs=0.006)
    assert high_end.params_["alpha"] == pytest.approx(0.668, abs=6e-4)
    assert high_end.params_["beta"] == pytest.approx(3.806, abs=6e-4)
    assert high_end.loglik_ == pytest.approx(-1611.16, abs=0.006)
    assert regular.n_customers_ == 1000 and regular.n_churned_ == 1000 - 241


def test_sbg_projection_equals_fader_hardie_spreadsheet_recursion(regular, high_end):
    # FH (2007), eq. 7 / appendix: P(T=1) = a/(a+b), P(T=t) = (b+t-2)/(a+b+t-1) P(T=t-1),
    # S(t) = S(t-1) - P(T=t); survivors = 1000 S(t), projected to years 8-12
    for m, actual in ((regular, REGULAR), (high_end, HIGH_END)):
        a, b = m.params_
        p, s = a / (a + b), [1.0, 1 - a / (a + b)]
        for t in range(2, 13):
            p = (b + t - 2) / (a + b + t - 1) * p
            s.append(s[-1] - p)
        proj = m.expected_survivors(12)
        np.testing.assert_allclose(proj["survivors"].to_numpy(), 1000 * np.array(s), rtol=1e-12)
        np.testing.assert_allclose(proj["retention_rate"].to_numpy()[1:], np.array(s[1:]) / np.array(s[:-1]),
                                   rtol=1e-12)
        # the holdout years 8-12 are forecasts: they track the actual counts (the paper's point)
        err = np.abs(proj["survivors"].to_numpy()[8:] - actual[8:]) / np.array(actual[8:])
        assert err.max() < 0.05


def test_survivor_table_reproduces_cohort_counts():
    rec = survivor_records(REGULAR)
    tab = survivor_table(rec["duration"], rec["churned"], weights=rec["count"])
    np.testing.assert_allclose(tab["survivors"].to_numpy(), REGULAR, rtol=1e-12)
    assert tab.loc[1, "at_risk"] == 1000 and tab.loc[12, "censored"] == 173


def test_two_cohorts_pooled_equal_sum_of_records():
    both = ShiftedBetaGeometric().fit_survivors([REGULAR[:8], HIGH_END[:5]])
    rec = pd.concat([survivor_records(REGULAR[:8]), survivor_records(HIGH_END[:5])])
    single = ShiftedBetaGeometric().fit(rec["duration"], rec["churned"], weights=rec["count"])
    np.testing.assert_allclose(both.params_, single.params_, rtol=1e-8)
    assert both.n_customers_ == 2000


def test_compressed_fit_equals_one_row_per_customer(regular):
    rec = survivor_records(REGULAR[:8])
    t = np.repeat(rec["duration"], rec["count"])
    ev = np.repeat(rec["churned"].map({1: "Yes", 0: "No"}), rec["count"])
    m = ShiftedBetaGeometric().fit(t, ev)
    np.testing.assert_allclose(m.params_, regular.params_, rtol=1e-8)
    np.testing.assert_allclose(m.se_, regular.se_, rtol=1e-5)


def test_derl_closed_form_matches_brute_force_sum(regular, high_end):
    # Fader & Hardie (2010), eq. 6: DERL = sum_{t>n} S(t)/S(n) / (1+d)^(t-n-1)
    t = np.arange(0, 6000, dtype=float)
    for m in (regular, high_end):
        s = m.survival(t)
        for d in (0.05, 0.10, 0.25):
            for n in (0, 1, 4, 10):
                brute = np.sum(s[n + 1:] / s[n] * (1 / (1 + d)) ** (t[n + 1:] - n - 1))
                assert m.derl(d, n) == pytest.approx(brute, rel=1e-10)
            # DEL = sum_{t>=0} S(t)/(1+d)^t = 1 + DERL(0)/(1+d)
            assert m.discounted_expected_lifetime(d) == pytest.approx(np.sum(s * (1 / (1 + d)) ** t), rel=1e-10)
            assert m.discounted_expected_lifetime(d) == pytest.approx(1 + m.derl(d, 0) / (1 + d), rel=1e-12)


def test_derl_rises_with_renewals_and_lifetime_limits(regular):
    # heterogeneity: survivors are the low-churn customers, so DERL grows with tenure (FH 2010)
    v = regular.derl(0.1, np.arange(8))
    assert np.all(np.diff(v) > 0)
    # alpha < 1: infinite expected lifetime; alpha > 1: closed forms at d = 0
    assert np.isinf(regular.expected_lifetime(3)) and np.isinf(regular.derl(0.0, 3))
    p = {"alpha": 2.5, "beta": 4.0}
    t = np.arange(0, 200000, dtype=float)
    s = regular.survival(t, params=p)
    assert regular.expected_lifetime(3, params=p) == pytest.approx(np.sum(s[3:]) / s[3], rel=1e-4)
    assert regular.derl(0.0, 3, params=p) == pytest.approx(np.sum(s[4:]) / s[3], rel=1e-4)
    assert regular.derl(1e-9, 3, params=p) == pytest.approx(regular.derl(0.0, 3, params=p), rel=1e-6)


def test_sbg_loglik_entry_is_conditional_on_survival(regular):
    # left truncation: contribution / S(entry)
    t = np.array([3, 5, 5, 8])
    ev = np.array([1, 0, 1, 0])
    e = np.array([2, 1, 4, 0])
    p = regular.params_.to_numpy()
    full = regular.loglik(t, ev)
    cond = regular.loglik(t, ev, entry=e)
    np.testing.assert_allclose(cond, full - (betaln(p[0], p[1] + e) - betaln(*p)), rtol=1e-12)


def test_sbg_gradient_matches_finite_differences(regular):
    d = {"t": np.array([1., 3, 5, 9]), "event": np.array([1., 0, 1, 0]), "entry": np.array([0., 2, 1, 4])}
    theta = regular.params_.to_numpy()
    g = regular._grad(theta, d)
    for j in range(2):
        h = np.zeros(2)
        h[j] = 1e-6
        fd = (regular._loglik(theta + h, d) - regular._loglik(theta - h, d)) / 2e-6
        np.testing.assert_allclose(g[:, j], fd, rtol=1e-6, atol=1e-8)


def test_sbg_telco_month_to_month_matches_R(telco_mtm):
    # R 4.2.2, optim (L-BFGS-B then Nelder-Mead) on the same likelihood, Month-to-month contracts:
    #   nll <- function(lp, e) { a <- exp(lp[1]); b <- exp(lp[2])
    #     num <- ifelse(ev == 1, lbeta(a + 1, b + pmax(t - 1, 0)), lbeta(a, b + t))
    #     -sum(num - lbeta(a, b + e)) }
    # right-censored (e = 0):          alpha=0.422618 beta=7.393295 LL=-7679.174997 se 0.03168 0.92007
    # left-truncated (e = tenure - 1): alpha=22.411649 beta=17.436294 LL=-2555.776230 se 2.14265 2.40085
    t, ev = telco_mtm["tenure"], telco_mtm["churn"]
    rc = ShiftedBetaGeometric().fit(t, ev)
    assert rc.params_.to_numpy() == pytest.approx([0.422618, 7.393295], rel=2e-5)
    assert rc.loglik_ == pytest.approx(-7679.174997, abs=1e-5)
    assert rc.se_.to_numpy() == pytest.approx([0.03168, 0.92007], rel=2e-3)
    lt = ShiftedBetaGeometric().fit(t, ev, entry=np.maximum(t - 1, 0))
    assert lt.params_.to_numpy() == pytest.approx([22.411649, 17.436294], rel=2e-5)
    assert lt.loglik_ == pytest.approx(-2555.776230, abs=1e-5)
    assert lt.se_.to_numpy() == pytest.approx([2.14265, 2.40085], rel=2e-3)


def test_sbg_recovers_parameters_from_snapshot_only_with_truncation():
    # simulate sBG durations for customers acquired uniformly over 72 months; a one-month snapshot
    # sees those alive at the start of the last month (T >= tenure): churned iff T == tenure
    rng = np.random.default_rng(7)
    a0, b0, n = 0.8, 2.5, 300_000
    theta = rng.beta(a0, b0, n)
    T = rng.geometric(theta)
    tenure = rng.integers(1, 73, n)
    seen = T >= tenure
    snap_t, snap_ev = tenure[seen], (T[seen] == tenure[seen])
    trunc = ShiftedBetaGeometric().fit(snap_t, snap_ev, entry=snap_t - 1)
    z = (trunc.params_.to_numpy() - [a0, b0]) / trunc.se_.to_numpy()
    assert np.all(np.abs(z) < 3)
    naive = ShiftedBetaGeometric().fit(snap_t, snap_ev)  # ignores the customers lost before the snapshot
    assert abs(naive.params_["alpha"] / naive.params_.sum() - a0 / (a0 + b0)) > 0.1
    # the full history of every acquired customer (right-censored at tenure) needs no truncation
    full = ShiftedBetaGeometric().fit(np.minimum(T, tenure), T <= tenure)
    z = (full.params_.to_numpy() - [a0, b0]) / full.se_.to_numpy()
    assert np.all(np.abs(z) < 3)


def test_sbg_by_segment_lr_test_on_the_two_cohorts(regular, high_end):
    rec = pd.concat([survivor_records(REGULAR[:8]).assign(seg="regular"),
                     survivor_records(HIGH_END[:8]).assign(seg="high end")])
    res = sbg_by_segment(rec["duration"], rec["churned"], rec["seg"], weights=rec["count"])
    assert res.table.loc["regular", "alpha"] == pytest.approx(regular.params_["alpha"], rel=1e-8)
    assert res.table.loc["high end", "beta"] == pytest.approx(high_end.params_["beta"], rel=1e-8)
    pooled = ShiftedBetaGeometric().fit(rec["duration"], rec["churned"], weights=rec["count"])
    stat = 2 * (regular.loglik_ + high_end.loglik_ - pooled.loglik_)
    assert res.lr_test["statistic"] == pytest.approx(stat, rel=1e-9)
    assert res.lr_test["df"] == 2 and res.lr_test["p_value"] < 1e-10


def test_sbg_fixed_term_contracts_raise_convergence_error_naming_segment():
    d = datasets.load_telco_churn()
    with pytest.raises(ConvergenceError, match="segment 'One year'.*rise with tenure"):
        sbg_by_segment(d["tenure"], d["churn"], d["contract"])


def test_sbg_input_errors():
    with pytest.raises(DataError, match="rows \\[2\\]"):
        ShiftedBetaGeometric().fit([3, 0, 2], [1, 1, 0])       # churn at duration 0
    with pytest.raises(DataError, match="churn flag"):
        ShiftedBetaGeometric().fit([3, 1], ["Yes", "maybe"])
    with pytest.raises(DataError, match="must not increase"):
        survivor_records([1000, 600, 700])
    with pytest.raises(DataError, match="both churned"):
        ShiftedBetaGeometric().fit([3, 4], [0, 0])
    m = ShiftedBetaGeometric().fit_survivors(REGULAR[:8])
    with pytest.raises(ParameterError, match="discount_rate"):
        m.derl(-0.1)
    with pytest.raises(ParameterError, match="whole numbers"):
        m.survival(1.5)
