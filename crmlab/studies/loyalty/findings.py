"""What study 1 found, in words: the key findings under the title (3-6, each from this run's numbers with
its interval, and what to do about it where the study can say) and the closing summary. Constructs and items
are named by their labels (:mod:`.text`), numbers go through :mod:`crmlab.report.narrative`."""
from __future__ import annotations

from crmlab.loyalty import wilson_interval
from crmlab.report.fmt import fmt_num
from crmlab.report.i18n import current_lang, pick, term
from crmlab.report.narrative import interval, p_phrase, pct
from crmlab.studies.loyalty.answers import interval_pct
from crmlab.studies.loyalty.text import item_label, md_name, names

__all__ = ["key_findings", "summary", "path_finding", "r2_finding", "shape_finding", "contrast_finding",
           "ipma_finding", "validity_caveat", "flagged_finding"]


def _zh() -> bool:
    return current_lang() == "zh"


def _excludes_zero(row) -> bool:
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)


def group_difference(key: str, mg=None, interpretable: dict | None = None, group: str | None = None,
                     alpha: float = 0.05) -> str:
    """A clause on the groups whose path ``key`` differs at ``alpha`` (permutation test) when MICOM lets it be
    interpreted: `` It differs by Gender: female 0.26, male 0.72 (permutation p = 0.010).``; empty otherwise."""
    if mg is None:
        return ""
    rows = mg.tests[(mg.tests["path"] == key) & (mg.tests["p_value"] < alpha)]
    out = []
    for r in rows.itertuples():
        if interpretable is not None and not interpretable.get(f"{r.path}|{r.group_a}-{r.group_b}", True):
            continue
        out.append(pick(en=f"{md_name(r.group_a)} {fmt_num(r.estimate_a, 2)}, {md_name(r.group_b)} "
                           f"{fmt_num(r.estimate_b, 2)} ({p_phrase(r.p_value, 'permutation p')})",
                        zh=f"{md_name(r.group_a)} {fmt_num(r.estimate_a, 2)}，{md_name(r.group_b)} "
                           f"{fmt_num(r.estimate_b, 2)}（置换检验 {p_phrase(r.p_value)}）"))
    if not out:
        return ""
    by = md_name(group) if group else pick(en="group", zh="群组")
    return pick(en=f" It differs by {by}: {'; '.join(out)}.", zh=f"该路径因{by}而异：{'；'.join(out)}。")


def path_finding(boot, satisfaction: str, loyalty: str, mg=None, interpretable: dict | None = None,
                 group: str | None = None) -> str | None:
    """The satisfaction -> loyalty path with its interval and what it means, and how it differs between groups
    when the multi-group test finds a difference MICOM lets be interpreted (None when the model has no such path)."""
    key = f"{loyalty}~{satisfaction}"
    if key not in boot.paths.index:
        return None
    return _path_words(boot, key, satisfaction, loyalty) + group_difference(key, mg, interpretable, group)


def _path_words(boot, key: str, satisfaction: str, loyalty: str) -> str:
    r = boot.paths.loc[key]
    ci = interval(r["original"], r["ci_low"], r["ci_high"])
    sat, loy, b = md_name(satisfaction), md_name(loyalty), fmt_num(abs(r["original"]), 2)
    if _excludes_zero(r) and r["original"] > 0:
        return pick(en=f"**{sat} drives {loy}**: path {ci} (95% bootstrap interval). Customers one standard deviation "
                       f"more satisfied are about {b} SD more loyal, the other drivers of {loy} held fixed.",
                    zh=f"**{sat}驱动{loy}**：路径系数 {ci}（95% 自助法置信区间）。在{loy}的其他前因保持不变时，"
                       f"{sat}每高一个标准差，{loy}平均高约 {b} 个标准差。")
    if _excludes_zero(r):
        return pick(en=f"**More {sat} goes with less {loy}**: path {ci} (95% bootstrap interval), the other drivers "
                       f"of {loy} held fixed; check the coding of the items before reading it.",
                    zh=f"**{sat}越高，{loy}越低**：路径系数 {ci}（95% 自助法置信区间，其他前因保持不变）；"
                       "解读之前请先核对题项的计分方向。")
    return pick(en=f"**The data cannot show that {sat} drives {loy}**: path {ci} (95% bootstrap interval, which "
                   "includes zero).",
                zh=f"**数据无法表明{sat}驱动{loy}**：路径系数 {ci}（95% 自助法置信区间包含零）。")


def r2_finding(pls, boot, loyalty: str) -> str | None:
    """How much of loyalty the model explains: R² with its bootstrap interval, in words."""
    if loyalty not in pls.r2_.index:
        return None
    r2 = float(pls.r2_[loyalty])
    row = boot.r2.loc[loyalty] if loyalty in boot.r2.index else None
    ci = interval(r2, row["ci_low"], row["ci_high"]) if row is not None else fmt_num(r2, 2)
    loy = md_name(loyalty)
    rest = pct(1 - r2, 0)
    return pick(en=f"**The model explains R² = {ci} of {loy}** (95% bootstrap interval): {pct(r2, 0)} of the "
                   f"differences between customers; the other {rest} lie outside the model.",
                zh=f"**模型解释了{loy}的 R² = {ci}**（95% 自助法置信区间）：即顾客之间差异的 {pct(r2, 0)}；"
                   f"其余 {rest} 来自模型之外的因素。")


def shape_finding(latent, items, sat_item: str, loy_item: str) -> str:
    """The shape of satisfaction -> loyalty (linear or threshold) in words, by cross-validation on the construct
    scores, and whether the overall items (``sat_item``, ``loy_item``) agree."""
    both = items.best == latent.best
    where = (pick(en="on the construct scores and on the overall items", zh="基于构念得分与总体题项") if both else
             pick(en=f"on the construct scores (on the overall items {item_label(sat_item)} and "
                     f"{item_label(loy_item)}: {term(items.best)})",
                  zh=f"基于构念得分（在总体题项{item_label(sat_item)}与{item_label(loy_item)}上为{term(items.best)}）"))
    if latent.best == "linear":
        return pick(en=f"**The link is a straight line**: cross-validation finds no threshold above which loyalty "
                       f"rises faster, {where}. Every step up in satisfaction counts.",
                    zh=f"**二者呈直线关系**：交叉验证没有发现忠诚度在某个阈值之上加速上升（{where}）。"
                       "满意度每提高一步都有作用。")
    if latent.best != "piecewise":
        return pick(en=f"**The link is not a straight line**: cross-validation prefers a curve ({term(latent.best)}), "
                       f"{where}; the shape figure shows where loyalty rises fastest.",
                    zh=f"**二者并非直线关系**：交叉验证选出的是曲线（{term(latent.best)}）（{where}）；"
                       "关系形状图显示了忠诚度上升最快的区间。")
    at = fmt_num(latent.threshold, 2)
    return pick(en=f"**The link is not a straight line**: cross-validation prefers the {term(latent.best)} form, "
                   f"with a threshold at {at} SD of the satisfaction score, {where}; gains in satisfaction count "
                   "most around that point.",
                zh=f"**二者并非直线关系**：交叉验证选出的是{term(latent.best)}形式，阈值位于满意度得分 {at} 个"
                   f"标准差处（{where}）；满意度在该点附近的提高作用最大。")


def contrast_finding(con: dict | None, cut, sat_item: str) -> str | None:
    """The not-loyal share of the merely vs the completely satisfied, each with its Wilson interval, and the gap
    with Newcombe's interval (None when a group is empty)."""
    if con is None:
        return None
    m_lo, m_hi = wilson_interval(round(con["not_loyal_merely"] * con["n_merely"]), con["n_merely"])
    c_lo, c_hi = wilson_interval(round(con["not_loyal_completely"] * con["n_completely"]), con["n_completely"])
    m = interval_pct(con["not_loyal_merely"], float(m_lo), float(m_hi))
    c = interval_pct(con["not_loyal_completely"], float(c_lo), float(c_hi))
    gap = interval(100 * con["difference"], 100 * con["ci_low"], 100 * con["ci_high"])
    lo, hi = cut.merely
    merely = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
    sat = item_label(sat_item)
    if con["ci_low"] > 0:
        act = pick(en="aim for complete satisfaction, not just satisfaction.", zh="目标应是完全满意，而不只是满意。")
    elif con["ci_high"] < 0:
        act = pick(en="here the completely satisfied are the less loyal: look into why.",
                   zh="此处完全满意者反而更不忠诚：需要查明原因。")
    else:
        act = pick(en="the data cannot tell the two groups apart.", zh="数据无法区分这两组。")
    return pick(en=f"**{m} of the merely satisfied are not loyal** ({sat} {merely}, n = {con['n_merely']:,}), against "
                   f"{c} of the completely satisfied (≥ {cut.completely_min:g}, n = {con['n_completely']:,}): a gap "
                   f"of {gap} percentage points (95% intervals); {act}",
                zh=f"**仅仅满意的顾客中有 {m} 不忠诚**（{sat} {merely} 分，n = {con['n_merely']:,}），完全满意的顾客"
                   f"（≥ {cut.completely_min:g} 分，n = {con['n_completely']:,}）中为 {c}：相差 {gap} 个百分点"
                   f"（95% 置信区间）；{act}")


def ipma_finding(imap, boot) -> str | None:
    """The IPMA priority: constructs of above-average importance and below-average performance, with the
    standardised total effect's bootstrap interval (None without an IPMA)."""
    if imap is None:
        return None
    c = imap.constructs.sort_values("importance", ascending=False)
    prio = c[(c["importance"] > c["importance"].mean()) & (c["performance"] < c["performance"].mean())]
    t = md_name(imap.target)
    focus = prio if len(prio) else c.head(1)

    def effect(construct) -> str:
        key = f"{imap.target}~{construct}"
        if key in boot.total_effects.index:
            r = boot.total_effects.loc[key]
            return interval(r["original"], r["ci_low"], r["ci_high"])
        return "-"
    parts = [pick(en=f"{md_name(r.construct)} (total effect {effect(r.construct)}, performance "
                     f"{fmt_num(r.performance, 2)} of 100)",
                  zh=f"{md_name(r.construct)}（总效应 {effect(r.construct)}，绩效 {fmt_num(r.performance, 2)}/100）")
             for r in focus.itertuples()]
    what = ("、" if _zh() else ", ").join(parts)
    if len(prio):
        return pick(en=f"**First place to improve for {t}: {what}**: above-average importance, below-average "
                       "performance (importance-performance map; 95% bootstrap intervals).",
                    zh=f"**提升{t}应优先改进：{what}**：重要性高于平均、绩效低于平均（重要性-绩效矩阵；95% 自助法置信区间）。")
    return pick(en=f"**No driver of {t} is both important and under-performing**; the most important is {what} "
                   "(importance-performance map): keep it where it is.",
                zh=f"**{t}的驱动因素中没有既重要又绩效偏低的**；最重要的是{what}（重要性-绩效矩阵）：保持其现有水平。")


def validity_caveat(meas, cb=None) -> str | None:
    """A caveat that changes the reading: constructs not empirically distinct (HTMT above the liberal cut-off,
    or its interval reaching 1), or an inadmissible covariance-based solution; None when there is none."""
    probs = meas.problems()
    pairs = probs[probs["check"].isin(["htmt_liberal", "htmt_interval"])]
    pairs = pairs.drop_duplicates(subset=["construct", "other"])
    bad_cb = cb is not None and not getattr(cb, "admissible", True)
    if pairs.empty and not bad_cb:
        return None
    htmt = dict(meas.htmt_pairs()) if hasattr(meas, "htmt_pairs") else {}
    ci = getattr(meas, "htmt_ci", None)
    words = []
    for r in pairs.itertuples():
        key = next((k for k in (f"{r.construct}|{r.other}", f"{r.other}|{r.construct}") if k in htmt), None)
        v = htmt[key] if key else r.value
        shown = (interval(v, ci.loc[key, "ci_low"], ci.loc[key, "ci_high"]) if ci is not None and key in ci.index
                 else fmt_num(v, 2))
        words.append(pick(en=f"{md_name(r.construct)} and {md_name(r.other)} (HTMT {shown})",
                          zh=f"{md_name(r.construct)}与{md_name(r.other)}（HTMT {shown}）"))
    txt = []
    if words:
        txt.append(pick(en=f"**Caveat**: {'; '.join(words)} are not empirically distinct, so the split of effects "
                           "between them is not identified: read their separate paths as one.",
                        zh=f"**注意**：{'；'.join(words)}在经验上无法区分，数据无法识别效应在二者之间如何分配："
                           "应把它们各自的路径合起来解读。"))
    if bad_cb:
        txt.append(pick(en="The covariance-based SEM of the same model is inadmissible" + (" for the same reason."
                                                                                         if words else "."),
                        zh="同一模型的协方差结构方程模型解不可接受" + ("，原因相同。" if words else "。")))
    return ("" if _zh() else " ").join(txt)


def flagged_finding(cmp, hyg) -> str | None:
    """The flagged respondents in one finding: how many, and whether the headline results hold without them."""
    if hyg is None or hyg.rows_flagged == 0:
        return None
    n = hyg.rows_flagged
    who = f"{n:,} flagged respondent" + ("" if n == 1 else "s")
    if cmp is None:
        return pick(en=f"**{who} (straight-lining or repeated answers) kept**; too few "
                       "remain without them to check the results.",
                    zh=f"**{n:,} 名受访者被标记**（直线作答或重复作答）并保留；去掉他们后人数不足，无法核对结果。")
    if cmp.changed:
        return pick(en=f"**{who} change{'s' if n == 1 else ''} the results**: without them "
                       f"{len(cmp.changed)} headline result(s) leave their 95% interval; check their answers before "
                       "acting.",
                    zh=f"**{n:,} 名被标记的受访者改变了结果**：去掉他们后有 {len(cmp.changed)} 个主要结果超出其 95% "
                       "置信区间；行动之前请先核查他们的作答。")
    return pick(en=f"**{who}** (kept) do{'es' if n == 1 else ''} not change the conclusions: without them every headline "
                   "result stays inside its 95% interval.",
                zh=f"**{n:,} 名被标记的受访者**（已保留）不改变结论：去掉他们后，所有主要结果都在其 95% 置信区间之内。")


def key_findings(*, sv, pls, boot, cut, con=None, shape=None, shape_items=None, imap=None, meas=None, cb=None,
                 flagged=None, hyg=None, mg=None, interpretable=None, group=None) -> list[tuple[str, str]]:
    """The 3-6 key findings under the title, each with the section it links to: the satisfaction -> loyalty
    path, how much of loyalty is explained, the shape, the not-loyal share of the merely vs the completely
    satisfied, the IPMA priority and a validity caveat when one changes the reading (flagged respondents
    when they change the results). With ``mg`` (:func:`crmlab.sem.multigroup`) the path finding says how the
    path differs between the groups of ``group`` where MICOM (``interpretable``) allows it."""
    out = [(path_finding(boot, sv.satisfaction, sv.loyalty, mg, interpretable, group), "pls"),
           (r2_finding(pls, boot, sv.loyalty), "pls")]
    if shape is not None and shape_items is not None:
        out.append((shape_finding(shape, shape_items, sv.sat_item, sv.loy_item), "shape"))
    out.append((contrast_finding(con, cut, sv.sat_item), "not_loyal"))
    caveat = (validity_caveat(meas, cb), "measurement") if meas is not None else (None, "")
    flag = (flagged_finding(flagged, hyg), "flagged")
    ipma = (ipma_finding(imap, boot), "ipma")
    if flagged is not None and flagged.changed:
        out += [flag, caveat, ipma]
    else:
        out += [ipma, caveat, flag]
    return [(t, k) for t, k in out if t][:6]


def summary(*, sv, hyg, pls, boot, cut, con=None, shape=None, shape_items=None, typ=None, imap=None, meas=None,
            cb=None, flagged=None, mg=None, interpretable=None, group=None) -> str:
    """The closing summary in words: what was used, the answer to the study's question (path, R², shape, merely
    vs completely satisfied, mercenaries), where to act (IPMA), and how sure (validity, flagged respondents)."""
    zh = _zh()
    sep = "" if zh else " "
    parts = []
    n_c, n_i = len(sv.spec.names), len(sv.spec.items)
    if zh:
        parts.append(f"本研究使用了 {hyg.rows_used:,} 名受访者（共读入 {hyg.rows_in:,} 名"
                     + (f"，其中 {hyg.rows_flagged:,} 名被标记但保留" if hyg.rows_flagged else "") + "），"
                     f"模型有 {n_c} 个构念（{names(sv.spec.names)}）与 {n_i} 个题项。")
    else:
        parts.append(f"This study used {hyg.rows_used:,} of {hyg.rows_in:,} respondents"
                     + (f" ({hyg.rows_flagged:,} of them flagged and kept)" if hyg.rows_flagged else "")
                     + f" and a model of {n_c} constructs ({names(sv.spec.names)}) measured by {n_i} items.")
    paragraphs = [sep.join(parts)]
    parts = []
    for finding in (path_finding(boot, sv.satisfaction, sv.loyalty, mg, interpretable, group),
                    r2_finding(pls, boot, sv.loyalty),
                    shape_finding(shape, shape_items, sv.sat_item, sv.loy_item) if shape is not None else None,
                    contrast_finding(con, cut, sv.sat_item)):
        if finding:
            parts.append(finding.replace("**", ""))
    if typ is not None:
        t = typ.set_index("type")
        sat_n = int(t.loc[["apostle", "mercenary"], "n"].sum())
        if sat_n:
            merc = pct(t.loc["mercenary", "n"] / sat_n, 0)
            parts.append(pick(en=f"{merc} of the satisfied are mercenaries (satisfied but not loyal): satisfaction "
                                 "alone does not keep them.",
                              zh=f"满意的顾客中有 {merc} 是雇佣兵（满意但不忠诚）：仅靠满意留不住他们。"))
    paragraphs.append(sep.join(parts))
    parts = []
    for finding in (ipma_finding(imap, boot), validity_caveat(meas, cb) if meas is not None else None,
                    flagged_finding(flagged, hyg)):
        if finding:
            parts.append(finding.replace("**", ""))
    sat_scale = f"{cut.sat_scale[0]:g}-{cut.sat_scale[1]:g}"
    parts.append(pick(en=f"The cut-offs used (satisfied from {cut.satisfied_min:g}, completely satisfied from "
                         f"{cut.completely_min:g} on {sat_scale}; loyal from {cut.loyal_min:g}) are listed in "
                         "section 1; the appendix lists every column and construct with its code.",
                      zh=f"所用分界值（{sat_scale} 分量表上满意从 {cut.satisfied_min:g} 分起、完全满意从 "
                         f"{cut.completely_min:g} 分起；忠诚从 {cut.loyal_min:g} 分起）见第 1 节；附录列出了各列与各构念的代码。"))
    paragraphs.append(sep.join(parts))
    return "\n\n".join(p for p in paragraphs if p)
