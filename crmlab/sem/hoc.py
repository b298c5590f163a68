"""Estimation designs: first-order models and higher-order constructs (HOC) in PLS-PM.

A model text may declare a construct measured by constructs
(``QUAL =~ QUAL1 + QUAL2`` or ``QUAL <~ QUAL1 + QUAL2``).  PLS-PM has no
native second-order block, so the model is *expanded* into one or two
first-order stages:

``"repeated"`` (repeated indicators; Lohmoeller 1989, Wold 1982)
    The HOC is measured by all items of its lower-order constructs (LOCs);
    the LOC-HOC relations become structural paths (HOC -> LOC for ``=~``,
    LOC -> HOC for ``<~``).  One stage.
``"embedded"`` (embedded two-stage; Ringle et al. 2012, Becker et al. 2012)
    Stage 1 is the repeated-indicators model; its LOC scores then measure the
    HOC in stage 2, where the LOCs are no longer constructs.
``"disjoint"`` (disjoint two-stage; Agarwal & Karahanna 2000, seminr's ``two_stage``)
    Stage 1 drops the HOC and links each LOC with every construct the HOC is
    linked with; its LOC scores measure the HOC in stage 2.

The default is ``"embedded"``: Sarstedt et al. (2019), "How to specify,
estimate, and validate higher-order constructs in PLS-SEM", *Australasian
Marketing Journal* 27, 197-211, recommend the embedded (or disjoint)
two-stage approach over repeated indicators when the HOC is formative or
endogenous, because with repeated indicators the LOCs explain (almost) all of
the HOC's variance and paths from antecedents into the HOC collapse towards 0.
Choose ``"disjoint"`` to reproduce seminr's ``higher_composite(method =
two_stage)``, and ``"repeated"`` for the classic one-stage estimate
(reflective HOC, similar numbers of items per LOC).

Every stage is computed from the covariance matrix of the raw items (the LOC
scores are linear combinations of items), so fitting and the bootstrap stay
batched linear algebra.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crmlab.core.errors import ParameterError
from crmlab.sem.pls_algo import pls_core
from crmlab.sem.plsc import consistent, rho_a
from crmlab.core.modeltext import ModelSpec, make_spec

__all__ = ["HOC_APPROACHES", "METHODS", "Stage", "Design", "expand_model", "run_design",
           "stage_transform", "repeated_name"]

HOC_APPROACHES = ("embedded", "disjoint", "repeated")
METHODS = ("pls", "plsc")


def repeated_name(item: str, hoc: str) -> str:
    """Column name of an item repeated in the block of a higher-order construct."""
    return f"{item}@{hoc}"


@dataclass
class Stage:
    """One first-order PLS model and where each of its columns comes from.

    ``cols[i]`` is ``("item", r)`` for raw item column r, or ``("score", k)``
    for the score of construct k of stage 1.
    """

    spec: ModelSpec
    cols: list
    M: np.ndarray = field(init=False, repr=False)
    A: np.ndarray = field(init=False, repr=False)
    modes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        self.M = self.spec.block_matrix()
        self.A = self.spec.adjacency()
        self.modes = self.spec.mode_b()

    @property
    def has_scores(self) -> bool:
        return any(kind == "score" for kind, _ in self.cols)


@dataclass
class Design:
    """The stages that estimate a model as written (``model``)."""

    model: ModelSpec
    approach: "str | None"
    raw_items: list
    final: Stage
    stage1: "Stage | None" = None

    @property
    def reported_stage1(self) -> list:
        """Lower-order constructs whose measurement model is reported from stage 1."""
        return list(self.model.lower_order) if self.stage1 is not None else []


def _check_connected(spec: ModelSpec, what: str):
    if not spec.paths:
        raise ParameterError("the model has no structural paths ('Target ~ Source')")
    linked = {c for pth in spec.paths for c in pth} | set(spec.lower_order)
    lonely = [c for c in spec.names if c not in linked]
    if lonely:
        raise ParameterError(f"construct(s) {lonely} take part in no structural path{what}; PLS needs every "
                             "construct connected (add a path or drop the construct)")


def expand_model(spec: ModelSpec, approach: str = "embedded") -> Design:
    """Turn a (possibly higher-order) model into first-order estimation stages.

    Parameters
    ----------
    spec : ModelSpec
    approach : {"embedded", "disjoint", "repeated"}
        Only used when the model has higher-order constructs.

    Returns
    -------
    Design
    """
    if approach not in HOC_APPROACHES:
        raise ParameterError(f"hoc={approach!r} is not one of {HOC_APPROACHES}")
    raw = spec.items
    ridx = {it: i for i, it in enumerate(raw)}
    hocs = spec.higher_order
    if not hocs:
        _check_connected(spec, "")
        return Design(model=spec, approach=None, raw_items=raw,
                      final=Stage(spec, [("item", ridx[it]) for it in raw]))
    _check_connected(spec, "")  # HOCs must take part in paths (LOCs are linked through their HOC)
    first = {c: its for c, its in spec.constructs.items() if c not in hocs}
    modes = {c: spec.mode(c) for c in spec.names}
    # repeated-indicators model (one stage, or stage 1 of the embedded approach)
    rep_c = {c: (its if c not in hocs else tuple(repeated_name(it, c) for lo in its for it in first[lo]))
             for c, its in spec.constructs.items()}
    rep_p = list(spec.paths)
    for h, los in hocs.items():
        rep_p += [(lo, h) if spec.mode(h) == "B" else (h, lo) for lo in los]
    rep = make_spec(rep_c, rep_p, modes)
    rep_cols = []
    for c, its in rep.constructs.items():
        for it in its:
            rep_cols.append(("item", ridx[it.split("@")[0]] if c in hocs else ridx[it]))
    if approach == "repeated":
        return Design(model=spec, approach=approach, raw_items=raw, final=Stage(rep, rep_cols))
    if approach == "embedded":
        stage1 = Stage(rep, rep_cols)
    else:
        dis_p = []
        for s, t in spec.paths:
            srcs = hocs.get(s, (s,))
            tgts = hocs.get(t, (t,))
            dis_p += [(a, b) for a in srcs for b in tgts]
        dis = make_spec(first, dis_p, modes)
        _check_connected(dis, " in the disjoint first stage")
        stage1 = Stage(dis, [("item", ridx[it]) for it in dis.items])
    # stage 2: LOCs replaced by their stage-1 scores, which measure the HOC
    lo_of = spec.lower_order
    fin_c = {c: its for c, its in spec.constructs.items() if c not in lo_of}
    fin = make_spec(fin_c, spec.paths, modes)
    s1 = stage1.spec.names
    fin_cols = [("score", s1.index(it)) if it in lo_of else ("item", ridx[it]) for it in fin.items]
    return Design(model=spec, approach=approach, raw_items=raw, final=Stage(fin, fin_cols), stage1=stage1)


def _selection(stage: Stage, p0: int) -> np.ndarray:
    """(p0 x p) 0/1 matrix mapping raw items to the stage's item columns."""
    P = np.zeros((p0, len(stage.cols)))
    for i, (_, r) in enumerate(stage.cols):
        P[r, i] = 1.0
    return P


def stage_transform(stage: Stage, p0: int, W1=None, stage1: "Stage | None" = None) -> np.ndarray:
    """Linear map T (B x p0 x p) from raw (standardised or centred) items to the stage's columns.

    Item columns are unit vectors; a score column is ``P1 w_k``, the stage-1
    weights of construct k carried back onto the raw items.
    """
    if not stage.has_scores:
        return _selection(stage, p0)[None]
    P1 = _selection(stage1, p0)
    Bn = W1.shape[0]
    T = np.zeros((Bn, p0, len(stage.cols)))
    for i, (kind, r) in enumerate(stage.cols):
        if kind == "item":
            T[:, r, i] = 1.0
        else:
            T[:, :, i] = W1[:, :, r] @ P1.T
    return T


def _covariances(S0, stage, stage1=None, W1=None):
    p0 = S0.shape[-1]
    if not stage.has_scores:
        idx = [r for _, r in stage.cols]
        return S0[:, idx][:, :, idx], None
    T = stage_transform(stage, p0, W1, stage1)
    return T.transpose(0, 2, 1) @ S0 @ T, T


def _finish(res, S, stage, method):
    if method == "plsc":
        return consistent(res, S, stage.M, stage.A, stage.modes)
    out = dict(res)
    rho, _ = rho_a(res["W"], S, stage.M)
    out["rho_a"] = np.where(stage.modes[None, :], np.nan, rho)
    out["admissible"] = np.ones(S.shape[0], dtype=bool)
    return out


def run_design(S0, design: Design, scheme="path", tol=1e-10, max_iter=500, method="pls") -> dict:
    """Estimate every stage of ``design`` on a stack of raw-item covariance matrices.

    Returns a dict with ``final`` and ``stage1`` (None for one-stage designs)
    result dicts (see :func:`~crmlab.sem.pls_algo.pls_core`, plus ``rho_a`` and
    ``admissible``; PLSc-corrected when ``method="plsc"``), the final-stage
    covariance stack ``S``, the stage-1 stack ``S1``, the raw-to-final map
    ``T`` (None unless stage 2 uses scores) and ``converged`` / ``admissible`` (B,).
    """
    if method not in METHODS:
        raise ParameterError(f"method={method!r} is not one of {METHODS}")
    S0 = np.asarray(S0, float)
    if S0.ndim == 2:
        S0 = S0[None]
    r1 = S1 = None
    if design.stage1 is not None:
        st1 = design.stage1
        S1, _ = _covariances(S0, st1)
        r1 = pls_core(S1, st1.M, st1.A, scheme, tol, max_iter, modes=st1.modes)
        S, T = _covariances(S0, design.final, st1, r1["W"])
    else:
        S, T = _covariances(S0, design.final)
    fin = design.final
    r = pls_core(S, fin.M, fin.A, scheme, tol, max_iter, modes=fin.modes)
    conv = r["converged"].copy()
    r = _finish(r, S, fin, method)
    adm = r["admissible"].copy()
    if r1 is not None:
        conv &= r1["converged"]
        r1 = _finish(r1, S1, design.stage1, method)
        adm &= r1["admissible"]
    return {"final": r, "stage1": r1, "S": S, "S1": S1, "T": T, "converged": conv, "admissible": adm}
