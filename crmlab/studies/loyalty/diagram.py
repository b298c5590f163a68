"""The path diagram of study 1's model, drawn with matplotlib alone (no Graphviz or other system dependency):
constructs as boxes named by their labels (R² inside the explained ones), structural paths as arrows with
their coefficients (solid and starred when the 95% bootstrap interval excludes zero, dashed otherwise).

The layout flows from top to bottom, one row per layer (a construct's layer is the length of the longest
chain of paths that leads to it), so that the figure stays narrow enough to read on a phone. Within the rows,
constructs take one of a few lanes chosen to keep arrows off other boxes and from crossing (a small search:
coordinate descent from a few starts, deterministic).
"""
from __future__ import annotations

import textwrap
from itertools import combinations

import numpy as np
import pandas as pd

from crmlab.report.i18n import pick
from crmlab.studies.loyalty.text import name

__all__ = ["layers", "layout", "plot_path_diagram"]

#: box size in lane / layer units (a lane is 1 wide, a layer 1 high)
BOX_W, BOX_H = 0.84, 0.55


def layers(nodes, edges) -> dict:
    """Each node's layer: 0 for nodes no path points at, else 1 + the largest layer of its predecessors."""
    preds = {n: [s for s, t in edges if t == n] for n in nodes}
    out: dict = {}

    def depth(n, seen=()):
        if n in out:
            return out[n]
        if n in seen:
            raise ValueError(f"the paths form a cycle through {n!r}")
        out[n] = 0 if not preds[n] else 1 + max(depth(p, seen + (n,)) for p in preds[n])
        return out[n]
    for n in nodes:
        depth(n)
    return out


def _hits_box(p, q, c, hw=BOX_W / 2 + 0.12, hh=BOX_H / 2 + 0.08) -> bool:
    """Does the segment p-q pass through the box of half-sizes hw, hh centred on c (Liang-Barsky clipping)?"""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for pp, qq in ((-dx, x0 - (c[0] - hw)), (dx, (c[0] + hw) - x0), (-dy, y0 - (c[1] - hh)), (dy, (c[1] + hh) - y0)):
        if pp == 0:
            if qq < 0:
                return False
            continue
        r = qq / pp
        if pp < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True


def _cross(a, b, c, d) -> bool:
    """Do segments a-b and c-d cross (not merely touch at an end)?"""
    def orient(p, q, r):
        return np.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))
    if {tuple(a), tuple(b)} & {tuple(c), tuple(d)}:
        return False
    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def _cost(pos, edges, layer) -> float:
    cost = 0.0
    for s, t in edges:
        p, q = pos[s], pos[t]
        cost += 0.3 * abs(p[0] - q[0])
        for n, c in pos.items():
            if n not in (s, t) and _hits_box(p, q, c):
                cost += 100.0
    for (s1, t1), (s2, t2) in combinations(edges, 2):
        if _cross(pos[s1], pos[t1], pos[s2], pos[t2]):
            cost += 10.0
    rows: dict = {}
    for n, c in pos.items():
        rows.setdefault(layer[n], []).append(c[0])
    for xs in rows.values():   # boxes of one layer must not overlap
        xs = sorted(xs)
        cost += 1000.0 * sum(1 for a, b in zip(xs, xs[1:]) if b - a < 1.0)
    return cost


def layout(nodes, edges, lanes: int | None = None) -> dict:
    """Positions ``{node: (x, y)}``: y = -layer, x a lane in 0, 0.5, ..., lanes - 1 chosen to keep arrows off
    other boxes and from crossing (coordinate descent from a few deterministic starts)."""
    nodes, edges = list(nodes), [tuple(e) for e in edges]
    layer = layers(nodes, edges)
    by_layer: dict = {}
    for n in nodes:
        by_layer.setdefault(layer[n], []).append(n)
    width = max(len(v) for v in by_layer.values())
    lanes = lanes or max(3, width)
    xs = np.arange(0, lanes - 0.5 + 1e-9, 0.5)
    mid = (lanes - 1) / 2

    def centred(k, shift=0.0):
        return [min(max(mid - (k - 1) / 2 + i + shift, 0), lanes - 1) for i in range(k)]
    starts = []
    for shift in (0.0, -0.5, 0.5):
        starts.append({n: (x, -layer[n]) for ns in by_layer.values() for n, x in zip(ns, centred(len(ns), shift))})
    zig = {}
    for lv, ns in by_layer.items():
        off = (-0.5 if lv % 2 else 0.5) if len(ns) == 1 else 0.0
        zig.update({n: (x, -lv) for n, x in zip(ns, centred(len(ns), off))})
    starts.append(zig)
    best, best_cost = None, np.inf
    for pos in starts:
        pos = dict(pos)
        cost = _cost(pos, edges, layer)
        for _ in range(8):
            improved = False
            for n in nodes:
                for x in xs:
                    trial = {**pos, n: (float(x), pos[n][1])}
                    c = _cost(trial, edges, layer)
                    if c < cost - 1e-9:
                        pos, cost, improved = trial, c, True
            if not improved:
                break
        if cost < best_cost:
            best, best_cost = pos, cost
    return best


def _wrap(text: str) -> str:
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "\n".join(text[i:i + 7] for i in range(0, len(text), 7))
    return textwrap.fill(text, 12)


def plot_path_diagram(paths: pd.DataFrame, r2: pd.Series, nodes=None, *, highlight: str | None = None,
                      title: str | None = None):
    """The structural model as a diagram: one box per construct (its label; ``R² = ...`` inside the explained
    ones), one arrow per path with its coefficient (``0.47*``: the 95% interval excludes zero; a dashed grey
    arrow: it includes zero; the width follows the size of the coefficient).

    ``paths``: the bootstrap path table (index ``target~source``; ``original``, ``ci_low``, ``ci_high``);
    ``r2``: R² per endogenous construct; ``nodes``: the constructs to draw (default: those in a path);
    ``highlight``: a path key drawn in the accent colour (the satisfaction -> loyalty path).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    edges = [tuple(reversed(k.split("~", 1))) for k in paths.index]   # (source, target)
    nodes = list(nodes) if nodes is not None else list(dict.fromkeys(n for e in edges for n in e))
    pos = layout(nodes, edges)
    xs = [p[0] for p in pos.values()]
    n_layers = 1 - min(p[1] for p in pos.values())
    x_lo, x_hi = min(xs) - 0.55, max(xs) + 0.55
    unit_w = min(1.75, 5.4 / (x_hi - x_lo))   # at most 5.4 in wide: readable when a phone shows it 350 px wide
    fig, ax = plt.subplots(figsize=((x_hi - x_lo) * unit_w, 1.3 * n_layers + 0.5))
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(-(n_layers - 1) - 0.45, 0.45)
    ax.axis("off")
    boxes = {}
    for n in nodes:
        x, y = pos[n]
        endo = n in r2.index
        box = FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.02,rounding_size=0.08",
                             fc="#dbe9f6" if endo else "#eeeeee", ec="#1f4e79" if endo else "#555555", lw=1.4,
                             zorder=3)
        ax.add_patch(box)
        boxes[n] = box
        label = _wrap(name(n))
        if endo:
            label += f"\nR² = {r2[n]:.2f}"
        ax.text(x, y, label, ha="center", va="center", fontsize=13, zorder=4, linespacing=1.05)
    placed = []
    for (s, t), key in zip(edges, paths.index):
        row = paths.loc[key]
        sig = bool(row["ci_low"] > 0 or row["ci_high"] < 0)
        accent = key == highlight
        colour = "#c0392b" if accent else ("#1f4e79" if sig else "#888888")
        arrow = FancyArrowPatch(pos[s], pos[t], patchA=boxes[s], patchB=boxes[t], arrowstyle="-|>",
                                mutation_scale=14, lw=1.0 + 3.0 * min(abs(row["original"]), 1.0), color=colour,
                                linestyle="-" if sig else (0, (4, 3)), zorder=2, shrinkA=2, shrinkB=2)
        ax.add_patch(arrow)
        (x0, y0), (x1, y1) = pos[s], pos[t]
        spot = None
        for f in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74):
            px, py = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
            clear_of_boxes = all(abs(px - c[0]) > BOX_W / 2 + 0.12 or abs(py - c[1]) > BOX_H / 2 + 0.08
                                 for c in pos.values())
            clear_of_labels = all(abs(px - qx) > 0.42 or abs(py - qy) > 0.2 for qx, qy in placed)
            if clear_of_boxes and clear_of_labels:
                spot = (px, py)
                break
        spot = spot or (x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0))
        placed.append(spot)
        ax.text(*spot, f"{row['original']:.2f}{'*' if sig else ''}", ha="center", va="center", fontsize=12.5,
                color=colour, fontweight="bold" if accent else "normal", zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9})
    ax.set_title(title or pick(en="Path model (* 95% interval excludes zero)", zh="路径模型（* 95% 置信区间不含零）"),
                 fontsize=13)
    fig.tight_layout(pad=0.3)
    return fig
