"""BG/BB against Fader, Hardie & Shang (2010) on the donations data, the ``lifetimes`` package
(test-only reference, version 0.11.3) and exact identities."""

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmlab.clv.bgbb import BGBB
from crmlab.core.errors import DataError, ParameterError

FIXTURE = Path(__file__).parent / "fixtures" / "donations.csv"


@pytest.fixture(scope="module")
def donations():
    assert hashlib.sha256(FIXTURE.read_bytes()).hexdigest() == \
        "82c25f26a201ff047e1cd5fe3d7967a45db92a025ecedee72ff8940e50104544"
    return pd.read_csv(FIXTURE)


@pytest.fixture(scope="module")
def xtn(donations):
    return (donations["frequency"].to_numpy(), donations["recency"].to_numpy(), donations["periods"].to_numpy())


@pytest.fixture(scope="module")
def bb(donations, xtn):
    return BGBB().fit(*xtn, weights=donations["weights"])


@pytest.fixture(scope="module")
def lt(donations, xtn):
    lifetimes = pytest.importorskip("lifetimes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifetimes.BetaGeoBetaBinomFitter().fit(*xtn, weights=donations["weights"])


def test_bgbb_matches_fhs2010_published_estimates(bb, donations):
    # Fader, Hardie & Shang (2010), Marketing Science 29(6): alpha=1.204, beta=0.750, gamma=0.657,
    # delta=2.783, LL=-33,225.6 on 11,104 donors (n = 6 annual opportunities)
    assert bb.params_.to_numpy() == pytest.approx([1.204, 0.750, 0.657, 2.783], abs=6e-4)
    assert bb.loglik_ == pytest.approx(-33225.6, abs=0.05)
    assert bb.n_customers_ == 11104 == donations["weights"].sum()


def test_bgbb_matches_lifetimes_parameters_and_standard_errors(bb, lt):
    np.testing.assert_allclose(bb.params_.to_numpy(), lt.params_.to_numpy(), rtol=1e-4)
    np.testing.assert_allclose(bb.se_.to_numpy(), lt.standard_errors_.to_numpy(), rtol=1e-3)


def test_bgbb_predictions_match_lifetimes(bb, lt, xtn, donations):
    lifetimes = pytest.importorskip("lifetimes")
    ref = lifetimes.BetaGeoBetaBinomFitter()   # lifetimes' formulas at our parameters
    ref.params_ = bb.params_.copy()
    for m in (1, 3):
        np.testing.assert_allclose(bb.p_alive(*xtn, m_periods=m), ref.conditional_probability_alive(m, *xtn),
                                   rtol=1e-10)
    for ns in (1, 5, 10):
        np.testing.assert_allclose(bb.conditional_expected_purchases(ns, *xtn),
                                   ref.conditional_expected_number_of_purchases_up_to_time(ns, *xtn), rtol=1e-10)
    ref.data = pd.DataFrame({"frequency": xtn[0], "recency": xtn[1], "n_periods": xtn[2],
                             "weights": donations["weights"]})
    hist = ref.expected_number_of_transactions_in_first_n_periods(6)["model"].to_numpy()
    np.testing.assert_allclose(bb.frequency_pmf(6) * 11104, hist, rtol=1e-10)
    # and lifetimes' own fit, to its optimiser's precision
    np.testing.assert_allclose(bb.p_alive(*xtn), lt.conditional_probability_alive(1, *xtn), rtol=1e-6)


def test_dert_closed_form_matches_discounted_sum_of_eq13_increments(bb, xtn):
    # eq. 14 vs sum_{k>=1} (E[X(n, n+k)] - E[X(n, n+k-1)]) / (1+d)^k from eq. 13
    k = np.arange(1, 1200)
    for d in (0.05, 0.10, 0.30):
        cum = bb.conditional_expected_purchases(k[:, None], *xtn)  # (k, customers)
        inc = np.diff(np.vstack([np.zeros(len(xtn[0])), cum]), axis=0)
        brute = (inc * (1 / (1 + d)) ** k[:, None]).sum(axis=0)
        np.testing.assert_allclose(bb.dert(d, *xtn), brute, rtol=1e-9)


def test_expected_purchases_is_mean_of_frequency_pmf(bb):
    for n in (1, 6, 15):
        pmf = bb.frequency_pmf(n)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
        assert bb.expected_purchases(n) == pytest.approx(np.dot(np.arange(n + 1), pmf), rel=1e-12)
    # a new customer is the x = t_x = n = 0 case of the conditional expectation
    assert bb.expected_purchases(6) == pytest.approx(bb.conditional_expected_purchases(6, [0], [0], [0])[0],
                                                     rel=1e-12)


def test_gamma_near_one_uses_the_limit(bb, xtn):
    p = dict(bb.params_, gamma=1.0)
    near = dict(bb.params_, gamma=1.0 + 1e-6)
    np.testing.assert_allclose(bb.conditional_expected_purchases(5, *xtn, params=p),
                               bb.conditional_expected_purchases(5, *xtn, params=near), rtol=1e-5)


def test_bgbb_gradient_matches_finite_differences(bb, xtn):
    d = bb._prepare(*(np.asarray(v, dtype=float) for v in xtn))
    theta = bb.params_.to_numpy() * [1.1, 0.9, 1.2, 0.8]
    g = bb._grad(theta, d)
    for j in range(4):
        h = np.zeros(4)
        h[j] = 1e-6
        fd = (bb._loglik(theta + h, d) - bb._loglik(theta - h, d)) / 2e-6
        np.testing.assert_allclose(g[:, j], fd, rtol=1e-6, atol=1e-8)


def test_bgbb_one_row_per_donor_equals_weighted_fit(bb, donations):
    rep = donations.loc[donations.index.repeat(donations["weights"])]
    m = BGBB().fit(rep["frequency"], rep["recency"], rep["periods"])
    np.testing.assert_allclose(m.params_, bb.params_, rtol=1e-7)
    assert m.n_rows_ == 22


def test_bgbb_recovers_simulated_parameters():
    rng = np.random.default_rng(3)
    a, b, g, dl, n, N = 1.2, 0.75, 0.66, 2.8, 8, 60_000
    p = rng.beta(a, b, N)
    alive = np.minimum(rng.geometric(rng.beta(g, dl, N)) - 1, n)  # opportunities alive
    buy = (rng.random((N, n)) < p[:, None]) & (np.arange(1, n + 1)[None, :] <= alive[:, None])
    x = buy.sum(axis=1)
    tx = np.where(x > 0, n - np.argmax(buy[:, ::-1], axis=1), 0)
    m = BGBB().fit(x, tx, np.full(N, n))
    z = (m.params_.to_numpy() - [a, b, g, dl]) / m.se_.to_numpy()
    assert np.all(np.abs(z) < 3)


def test_bgbb_input_errors(bb):
    with pytest.raises(DataError, match="rows \\[2\\]"):
        BGBB().fit([1, 2, 0], [1, 1, 0], [6, 6, 6])   # two transactions by opportunity 1
    with pytest.raises(DataError, match="rows \\[1\\]"):
        BGBB().fit([1], [7], [6])
    with pytest.raises(ParameterError, match="discount_rate"):
        bb.dert(0.0, [1], [1], [6])
    with pytest.raises(ParameterError, match="n_star"):
        bb.conditional_expected_purchases(1.5, [1], [1], [6])
