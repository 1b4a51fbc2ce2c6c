"""Complaint classes (投诉通报处理制度 一, 二.5): 单位提级, 总部认定, new facts, and the daily sweep.

The classification itself is the kernel's ``reclassify``; this module holds the changes people make to a class or
to the facts it reads, and the hourly sweep for the changes no one makes (age, group window, policy in force).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, or_
from sqlmodel import select

from core import complaint_duties as duty
from core import complaint_workflow as wf
from core import complaints as rules
from core.complaint_facts import EDITABLE_FACTS, FACT_LABELS
from core.complaints import Grade, GradeSource, State
from core.errors import DomainError
from core.permissions import Action, Actor
from core.registry import daily_job
from db.models import Complaint, PolicyChange
from db.services.complaint_kernel import (
    ENTITY,
    LIST_PAGE,
    RECORD_TYPE,
    hq_user_ids,
    load,
    policy_for,
    reclassify,
    record,
)
from db.services.duties import breach_sweep
from db.services.notices import notify
from db.session import read_session, write_session


def raise_grade(*, actor: Actor, complaint_id: int, grade: str, reason: str, now: datetime) -> Complaint:
    """单位提级: with a reason, never below the rules (HQ has the final say)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_GRADE_RAISE)
        wf.require(wf.Op.GRADE_RAISE, wf.Situation.of(c))
        policy = policy_for(s, c, now)
        rules.check_unit_raise(current=Grade(c.grade), rules=Grade(c.rules_grade), new=Grade(grade), reason=reason,
                               policy=policy)
        c.raised_grade = grade
        c.grade_trigger, c.grade_citation = f"单位提级：{reason.strip()}"[:200], rules.C_HQ_FINAL
        reclassify(s, c, actor=actor, now=now, reason=reason.strip())
        return c


def override_grade(*, actor: Actor, complaint_id: int, grade: str, reason: str, now: datetime) -> Complaint:
    """总部认定: either way, with a reason (投诉通报处理制度 二.5)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_GRADE_OVERRIDE_HQ)
        wf.require(wf.Op.GRADE_OVERRIDE, wf.Situation.of(c))
        rules.check_hq_override(reason=reason)
        Grade(grade)
        c.hq_grade = grade
        c.grade_trigger, c.grade_citation = f"总部认定：{reason.strip()}"[:200], rules.C_HQ_FINAL
        if not reclassify(s, c, actor=actor, now=now, reason=reason.strip()):
            record(s, c, actor=actor, action="grade", now=now, citation=rules.C_HQ_FINAL,
                   note=f"总部认定维持“{rules.GRADE_LABELS[Grade(grade)]}”：{reason.strip()}")
        return c


FACT_FIELDS = EDITABLE_FACTS  # the facts that may be corrected after intake


def _corrected(c: Complaint, changes: dict) -> dict:
    """The changes that differ from the row, as stored values; refuses unknown fields and bad numbers."""
    if set(changes) - set(EDITABLE_FACTS):
        raise DomainError("不能修改这些字段")
    after = {}
    for key, value in changes.items():
        if key == "complainant_count":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise DomainError("投诉人数应在 1 到 10000 之间", field=key) from None
            if not 1 <= value <= 10000:
                raise DomainError("投诉人数应在 1 到 10000 之间", field=key)
        else:
            value = bool(value)
        if getattr(c, key) != value:
            after[key] = value
    if not after:
        raise DomainError("没有需要更正的内容：所填情况与登记的相同")
    return after


def update_facts(*, actor: Actor, complaint_id: int, changes: dict, reason: str, now: datetime) -> Complaint:
    """更正投诉情况 (issue 11 item 7): the facts a class is judged by (诉讼, 媒体, 人数, 我方原因, 敏感, 需协助), by a
    supervisor or above, with a reason, audited with before/after; reclassified at once. A rise applies at once
    (with its 通报); facts that now give less keep the class until the HQ 客服中心 lowers it (二.5), who is asked."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_FACTS_CORRECT)
        wf.require(wf.Op.UPDATE_FACTS, wf.Situation.of(c))
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("请填写更正理由", field="reason", clause=rules.C_CLASSES)
        after = _corrected(c, changes)
        before = {k: getattr(c, k) for k in after}
        for key, value in after.items():
            setattr(c, key, value)
        labels = "、".join(f"{FACT_LABELS[k]}：{_shown(before[k])}→{_shown(v)}" for k, v in after.items())
        record(s, c, actor=actor, action="facts", now=now, citation=rules.C_CLASSES,
               note=f"更正投诉情况（{labels}）；理由：{reason}"[:500], before=before, after=after)
        reclassify(s, c, actor=actor, now=now, reason=reason)
        policy = policy_for(s, c, now)
        if c.grade_source != GradeSource.HQ.value and rules.severity(c.rules_grade, policy) < rules.severity(c.grade, policy):
            note = rules.lowering_note(c.grade, c.rules_grade)
            record(s, c, actor=actor, action="grade", now=now, citation=rules.C_HQ_FINAL, note=note)
            notify(s, recipient_user_ids=hq_user_ids(s), kind="info", title=f"【待总部认定降级】{c.number} {c.title}"[:200],
                   body=f"{note}。更正理由：{reason}", page=LIST_PAGE, entity=ENTITY, entity_id=str(c.id),
                   office_id=c.office_id, now=now)
        return c


def _shown(value) -> str:
    return ("是" if value else "否") if isinstance(value, bool) else str(value)


# ----- daily sweep ----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    regraded: list[str] = field(default_factory=list)
    report_breaches: list[str] = field(default_factory=list)
    overdue: int = 0


@daily_job("complaints")
def daily_sweep(*, now: datetime) -> SweepResult:
    """Age-based upgrades (≥7 days → 热点, ≥1 month → 重大) and report-deadline breaches; run hourly.

    Only the open complaints whose class can change without anyone touching them are reclassified, each in a
    short write transaction of its own; the overdue count is one query. Re-judging every open complaint (one
    write transaction each, thousands) took 52 s on the large dataset and held up users' writes every hour
    (issue 5). Every other change of the facts (new facts, consultant request, reopening, state, grouping,
    raising) reclassifies in its own transaction, so between sweeps a complaint's class can change only by:

    * age — the "我方原因未解决" triggers (``our_fault``), whose thresholds and working-day calendar come from
      the policy book;
    * its same-issue group — a registration joining the group does not reclassify the others (the window counts on
      the complaints' own dates, so time alone does not change the count);
    * a policy change of its version coming into force after the complaint was made (effective-from dates
      can lie in the future).

    Those are selected here in SQL. Reclassification itself is unchanged (``reclassify``), so the thresholds stay
    the policy's; it raises a class, never lowers one (二.5: only HQ lowers, with a reason; issue 11 item 9). Overdue duties (a 通报 not made in time among them) are then flagged by ``duties.breach_sweep``.
    """
    result = SweepResult()
    at = now.astimezone(UTC)  # stored timestamps are UTC
    open_states = [x.value for x in rules.OPEN_STATES]
    policy_moved = select(PolicyChange.id).where(PolicyChange.id <= Complaint.policy_version,
                                                 PolicyChange.effective_from > Complaint.created_at,
                                                 PolicyChange.effective_from <= at).exists()
    with read_session() as s:
        ids = list(s.exec(select(Complaint.id).where(Complaint.state.in_(open_states), or_(
            Complaint.our_fault == True,  # noqa: E712
            Complaint.same_issue_group_id != None,  # noqa: E711
            policy_moved,
        )).order_by(Complaint.id)).all())
    for cid in ids:
        with write_session() as s:
            c = s.exec(select(Complaint).where(Complaint.id == cid).with_for_update()).one()
            if State(c.state) not in rules.OPEN_STATES:  # closed since the list was read
                continue
            if reclassify(s, c, actor=None, now=now):
                result.regraded.append(c.number)
    # After the reclassifications (they move deadlines): the complaints' overdue duties are flagged, a 通报 breach
    # with its step on the timeline (core.complaint_duties.REPORT), by the one breach writer every process shares.
    reported = [b.record_id for b in breach_sweep(now=now, record_type=RECORD_TYPE) if b.duty == duty.REPORT.code]
    if reported:
        with read_session() as s:
            result.report_breaches = list(s.exec(select(Complaint.number).where(Complaint.id.in_(reported))
                                                 .order_by(Complaint.id)).all())
    with read_session() as s:  # after the reclassifications above, which may have moved deadlines
        result.overdue = int(s.exec(select(func.count()).select_from(Complaint).where(
            Complaint.state.in_(open_states), Complaint.due_at < at)).one())
    return result
