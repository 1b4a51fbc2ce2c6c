"""Same-issue groups (投诉通报处理制度 一.2): complaints about one issue from different complainants, counted
for the 热点 trigger within the policy's window; linking or unlinking reclassifies every open member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import select

from core import complaint_workflow as wf
from core import complaints as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from db.models import Complaint, SameIssueGroup
from db.models.base import as_utc
from db.services.base import already_done, authorize, load_scoped, remember
from db.services.complaint_kernel import load, policy_for, reclassify, record, same_issue_count, visible
from db.session import read_session, write_session


def suggest_same_issue(*, actor: Actor, complaint_id: int, now: datetime) -> list[tuple[int, str, int | None]]:
    """Same category and building within the configured days either side: (complaint id, "number title", group id).

    Complaints already in this complaint's group are left out: they are members, not suggestions.
    """
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        if not c.building_id:
            return []
        days = policy_for(s, c, now)["complaint.same_issue_suggest_days"]
        received = as_utc(c.received_at)
        stmt = select(Complaint).where(Complaint.office_id == c.office_id, Complaint.category == c.category,
                                       Complaint.building_id == c.building_id, Complaint.id != c.id,
                                       Complaint.received_at >= received - timedelta(days=days),
                                       Complaint.received_at <= received + timedelta(days=days))
        if c.same_issue_group_id:
            stmt = stmt.where(or_(Complaint.same_issue_group_id == None,  # noqa: E711
                                  Complaint.same_issue_group_id != c.same_issue_group_id))
        rows = s.exec(stmt.order_by(Complaint.received_at.desc()).limit(20)).all()
        return [(r.id, f"{r.number} {r.title}", r.same_issue_group_id) for r in rows]


@dataclass
class GroupView:
    """A same-issue group as the detail page shows it: members, distinct complainants, the 热点 threshold."""

    group_id: int
    title: str
    members: list[tuple[int, str, str, str]]  # id, number, title, state label
    distinct_complainants: int  # within the window, as the classification counts them
    threshold: int
    citation: str


def same_issue_group(*, actor: Actor, complaint_id: int, now: datetime) -> GroupView | None:
    with read_session() as s:
        c = visible(s, actor, complaint_id)
        if not c.same_issue_group_id:
            return None
        group = s.get(SameIssueGroup, c.same_issue_group_id)
        policy = policy_for(s, c, now)
        rows = s.exec(select(Complaint).where(Complaint.same_issue_group_id == group.id)
                      .order_by(Complaint.received_at)).all()
        return GroupView(group.id, group.title,
                         [(r.id, r.number, r.title, rules.STATE_LABELS[rules.State(r.state)]) for r in rows],
                         same_issue_count(s, c, policy, now), int(policy["complaint.hot_same_issue"]),
                         policy.cite("complaint.hot_same_issue"))


def link_same_issue(*, actor: Actor, complaint_id: int, now: datetime, group_id: int | None = None,
                    with_complaint_id: int | None = None, title: str = "", request_id: str | None = None) -> int:
    """Put the complaint into a same-issue group (existing, another complaint's, or a new one) and reclassify all."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        if done := already_done(s, request_id, "same_issue_group"):
            return int(done)
        wf.require(wf.Op.SAME_ISSUE_LINK, wf.Situation.of(c))
        other = None
        if with_complaint_id:  # another office's complaint: refused like naming it directly
            other = load(s, actor, with_complaint_id, Action.COMPLAINT_HANDLE)
            if other.office_id != c.office_id:
                raise DomainError("只能与本管理处的投诉归为同一事项")
            group_id = group_id or other.same_issue_group_id or c.same_issue_group_id
        if group_id:
            group = load_scoped(s, SameIssueGroup, group_id, actor=actor, action=Action.COMPLAINT_HANDLE,
                                entity="same_issue_group", lock=False, missing="同一事项分组不存在或不在您的管理范围内")
            if group.office_id != c.office_id:
                raise DomainError("只能归入本管理处的同一事项")
        else:
            group = SameIssueGroup(office_id=c.office_id, title=(title or c.title)[:200], created_at=now,
                                   created_by=actor.user_id)
            s.add(group)
            s.flush()
        members = [c] + ([other] if other else [])
        left = {m.same_issue_group_id for m in members if m.same_issue_group_id not in (None, group.id)}
        for m in members:
            m.same_issue_group_id = group.id
            s.add(m)
        s.flush()
        record(s, c, actor=actor, action="same_issue", now=now, citation=rules.cite("D14", "一.2"),
               note=f"归入同一事项：{group.title}")
        if other is not None:
            record(s, other, actor=actor, action="same_issue", now=now, citation=rules.cite("D14", "一.2"),
                   note=f"与 {c.number} 归入同一事项：{group.title}")
        affected = select(Complaint).where(Complaint.same_issue_group_id.in_([group.id, *left])).with_for_update()
        for m in s.exec(affected).all():
            if rules.State(m.state) in rules.OPEN_STATES or m.id == c.id:
                reclassify(s, m, actor=actor, now=now, reason="同一事项投诉人数变化")
        remember(s, request_id, "same_issue_group", group.id)
        return int(group.id)


def unlink_same_issue(*, actor: Actor, complaint_id: int, reason: str, now: datetime) -> None:
    """Take the complaint out of its group (wrongly linked); the remaining members are reclassified too."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        wf.require(wf.Op.SAME_ISSUE_UNLINK, wf.Situation.of(c))
        reason = (reason or "").strip()
        if not reason:
            raise DomainError("移出同一事项须填写理由", field="reason")
        group = s.get(SameIssueGroup, c.same_issue_group_id)
        c.same_issue_group_id = None
        s.add(c)
        s.flush()
        record(s, c, actor=actor, action="same_issue", now=now, citation=rules.cite("D14", "一.2"),
               note=f"移出同一事项“{group.title}”：{reason[:300]}")
        reclassify(s, c, actor=actor, now=now, reason="移出同一事项")
        for m in s.exec(select(Complaint).where(Complaint.same_issue_group_id == group.id).with_for_update()).all():
            if rules.State(m.state) in rules.OPEN_STATES:
                reclassify(s, m, actor=actor, now=now, reason="同一事项投诉人数变化")


def group_choices(*, actor: Actor, office_id: int) -> list[tuple[int, str]]:
    authorize(actor, Action.COMPLAINT_VIEW, office_id)
    with read_session() as s:
        rows = s.exec(select(SameIssueGroup).where(SameIssueGroup.office_id == office_id)
                      .order_by(SameIssueGroup.id.desc()).limit(200)).all()
        return [(g.id, g.title) for g in rows]
