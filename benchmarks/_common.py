"""Shared by the benchmark scripts: a timer and one report line per measurement.

Each line prints our time, the reference package's time measured in the same run,
their ratio (reference / ours: above 1 means crmlab is faster) and the issue's goal.
"""
from __future__ import annotations

import time


def timed(fn, *args, **kwargs):
    """Call ``fn``; return (result, seconds)."""
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def line(name, ours, ref=None, ref_name="reference", goal=None, note=""):
    """Print one benchmark line."""
    msg = f"{name:<48s} ours {ours:8.3f} s"
    if ref is not None:
        msg += f" | {ref_name} {ref:9.2f} s{note} | ratio {ref / ours:8.1f}x"
    elif note:
        msg += f" {note}"
    if goal is not None:
        msg += f" | goal < {goal:g} s: {'met' if ours < goal else 'NOT met'}"
    print(msg, flush=True)
