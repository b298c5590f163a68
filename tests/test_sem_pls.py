"""PLS-PM against R plspm's published outputs for its `satisfaction` data.

Reference numbers: tests/fixtures/plspm_satisfaction_reference.json (copied from the
test fixtures of GoogleCloudPlatform/plspm-python, which hold R plspm output; see its
"source" field).  R plspm was run with scaled = FALSE.
"""
import json

import numpy as np
import pandas as pd
import pytest

from crmlab.core import datasets
from crmlab.core.errors import ParameterError
from crmlab.sem.pls import PLSPM, resample_covariances
from crmlab.core.modeltext import ECSI_MODEL
from tests.conftest import FIXTURES

REF = json.loads((FIXTURES / "plspm_satisfaction_reference.json").read_text())
TOL = 1e-4


@pytest.fixture(scope="module")
def ecsi():
    return datasets.load_ecsi()


@pytest.fixture(scope="module")
def centroid(ecsi):
    return PLSPM(ECSI_MODEL, scheme="centroid", scaled=False).fit(ecsi)


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_outer_weights_and_loadings_match_r_plspm(ecsi, scheme):
    m = PLSPM(ECSI_MODEL, scheme=scheme, scaled=False).fit(ecsi)
    ref = pd.DataFrame(REF["outer_model"][scheme]).T
    np.testing.assert_allclose(m.weights_[ref.index], ref["weight"], atol=TOL)
    np.testing.assert_allclose(m.loadings_[ref.index], ref["loading"], atol=TOL)


def test_effects_match_r_plspm(centroid):
    ref = pd.DataFrame(REF["effects_centroid"]).set_index(["source", "target"])
    got = centroid.effects_.set_index(["source", "target"]).loc[ref.index]
    np.testing.assert_allclose(got[["direct", "indirect", "total"]], ref[["direct", "indirect", "total"]],
                               atol=TOL)


def test_r2_ave_gof_match_r_plspm_inner_summary(centroid):
    ref = pd.DataFrame(REF["inner_summary_centroid"]).T
    np.testing.assert_allclose(centroid.block_summary_.loc[ref.index, "r2"], ref["r2"], atol=TOL)
    np.testing.assert_allclose(centroid.block_summary_.loc[ref.index, "ave"], ref["ave"], atol=TOL)
    assert centroid.gof_ == pytest.approx(REF["gof_centroid"], abs=TOL)


def test_paths_into_sat_match_r_plspm_inner_model(centroid):
    ref = REF["sat_regression_centroid"]
    for src, row in ref.items():
        assert centroid.paths_[f"SAT~{src}"] == pytest.approx(row["estimate"], abs=TOL)


def test_scores_match_r_plspm_first_rows(centroid):
    ref = pd.DataFrame(REF["scores_centroid"]["rows_1_to_5"], columns=REF["scores_centroid"]["columns"])
    np.testing.assert_allclose(centroid.scores_[ref.columns].iloc[:5].to_numpy(), ref.to_numpy(), atol=TOL)


def test_scaled_fit_equals_unscaled_fit_of_standardised_items(ecsi, centroid):
    """Exact recomputation: scaled=True is the scaled=False algorithm on z-scored items."""
    items = centroid.spec_.items
    z = ecsi.copy()
    z[items] = (ecsi[items] - ecsi[items].mean()) / ecsi[items].std(ddof=0)
    a = PLSPM(ECSI_MODEL, scheme="centroid", scaled=True).fit(ecsi)
    b = PLSPM(ECSI_MODEL, scheme="centroid", scaled=False).fit(z)
    np.testing.assert_allclose(a.paths_, b.paths_, atol=1e-9)
    np.testing.assert_allclose(a.weights_, b.weights_, atol=1e-9)
    # Mode A weights differ from the unscaled solution: they are proportional to correlations
    assert not np.allclose(a.paths_, centroid.paths_, atol=1e-3)


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_paths_match_python_plspm_package(ecsi, scheme):
    """The plspm package (test-only reference, same run) for all three inner schemes."""
    config_mod = pytest.importorskip("plspm.config")
    from plspm.mode import Mode
    from plspm.plspm import Plspm
    from plspm.scheme import Scheme

    m = PLSPM(ECSI_MODEL, scheme=scheme, scaled=False).fit(ecsi)
    lvs = m.spec_.names
    pm = pd.DataFrame(m.spec_.adjacency().T.astype(int), index=lvs, columns=lvs)
    config = config_mod.Config(pm, scaled=False)
    for lv in lvs:
        config.add_lv(lv, Mode.A, *[config_mod.MV(it) for it in m.spec_.constructs[lv]])
    ref = Plspm(ecsi[m.spec_.items], config, Scheme[scheme.upper()]).path_coefficients()
    for key, val in m.paths_.items():
        tgt, src = key.split("~")
        assert val == pytest.approx(ref.loc[tgt, src], abs=1e-5)


def test_batched_bootstrap_equals_refitting_each_resample(ecsi):
    """Exact recomputation: the stacked solver reproduces one-at-a-time fits on the same resamples."""
    m = PLSPM(ECSI_MODEL, scheme="path").fit(ecsi)
    boot = m.bootstrap(12, seed=7, chunk=12)
    n = len(ecsi)
    idx = np.random.default_rng(7).integers(0, n, size=(12, n))
    refits = np.array([PLSPM(ECSI_MODEL, scheme="path").fit(ecsi.iloc[i].reset_index(drop=True)).paths_
                       for i in idx])
    np.testing.assert_allclose(boot.paths["se"], refits.std(axis=0, ddof=1), atol=1e-8)
    np.testing.assert_allclose(boot.paths["mean"], refits.mean(axis=0), atol=1e-8)
    np.testing.assert_allclose(boot.paths["ci_low"], np.quantile(refits, 0.025, axis=0), atol=1e-8)
    from crmlab.sem.measurement import htmt
    h = np.array([htmt(ecsi.iloc[i], m.spec_.constructs).loc["EXPE", "QUAL"] for i in idx])
    assert boot.htmt.loc["EXPE|QUAL", "se"] == pytest.approx(h.std(ddof=1), abs=1e-10)
    assert boot.htmt.loc["EXPE|QUAL", "original"] == pytest.approx(
        htmt(ecsi, m.spec_.constructs).loc["EXPE", "QUAL"], abs=1e-12)


def test_bootstrap_se_close_to_r_plspm_bootstrap(ecsi):
    """R plspm's bootstrap (random, few resamples): our SE agree within sampling error (30%)."""
    m = PLSPM(ECSI_MODEL, scheme="centroid", scaled=False).fit(ecsi)
    boot = m.bootstrap(1000, seed=20261124)
    ref = REF["bootstrap_paths_centroid"]
    for key, row in ref.items():
        src, tgt = [s.strip() for s in key.split("->")]
        got = boot.paths.loc[f"{tgt}~{src}"]
        assert got["original"] == pytest.approx(row["original"], abs=TOL)
        assert got["se"] == pytest.approx(row["std_error"], rel=0.3)
    assert boot.n_failed == 0
    assert (boot.paths["t"] == boot.paths["original"] / boot.paths["se"]).all()


def test_resample_covariances_equal_numpy_cov():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 4))
    counts = rng.multinomial(40, np.ones(40) / 40, size=3)
    S = resample_covariances(X, counts, scaled=False)
    for b in range(3):
        np.testing.assert_allclose(S[b], np.cov(np.repeat(X, counts[b], axis=0), rowvar=False, ddof=0),
                                   atol=1e-12)
    R = resample_covariances(X, counts, scaled=True)
    np.testing.assert_allclose(R[0], np.corrcoef(np.repeat(X, counts[0], axis=0), rowvar=False), atol=1e-12)


def test_bad_scheme_and_unfitted_use(ecsi):
    with pytest.raises(ParameterError, match="scheme"):
        PLSPM(ECSI_MODEL, scheme="mode-b").fit(ecsi)
    with pytest.raises(ParameterError, match="fit"):
        PLSPM(ECSI_MODEL).bootstrap(10)
    with pytest.raises(ParameterError, match="no structural paths"):
        PLSPM("A =~ imag1 + imag2").fit(ecsi)
    with pytest.raises(ParameterError, match=r"\['C'\] take part in no structural path"):
        PLSPM("A =~ imag1 + imag2\nB =~ sat1 + sat2\nC =~ loy1 + loy2\nB ~ A").fit(ecsi)


def test_bootstrap_on_tiny_sample_counts_failed_resamples_instead_of_crashing():
    """Resamples in which an item is constant cannot be estimated; they are dropped and counted."""
    rng = np.random.default_rng(0)
    n = 12
    df = pd.DataFrame({"a1": rng.normal(size=n), "a2": rng.normal(size=n),
                       "b1": rng.normal(size=n), "b2": np.r_[np.ones(n - 1), 5.0]})
    m = PLSPM("A =~ a1 + a2\nB =~ b1 + b2\nB ~ A").fit(df)
    boot = m.bootstrap(200, seed=1)
    assert boot.n_failed > 0 and boot.n_resamples == 200 - boot.n_failed
    assert np.isfinite(boot.paths["se"]).all()
