"""Support around a complaint: 专业顾问 (投诉顾问支持及责任划分), same-issue groups (热点 trigger), online
posts (网上投诉处理), attachments, and the responsibility finding for missed deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from core import complaints as rules
from core.errors import DomainError, NotFound
from core.permissions import Action, Actor
from core.registry import WorkItem, work_provider
from core.roles import Role
from core.uploads import CleanUpload, clean_upload
from core.worktime import due_at
from db.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintFinding,
    Consultant,
    ConsultRequest,
    Notice,
    OnlinePost,
    SameIssueGroup,
    User,
    UserRole,
)
from db.services.base import Page, audit, authorize, paginate
from db.services.complaints import (
    _aware,
    contact_person,
    load,
    policy_for,
    reclassify,
    record,
    same_issue_count,
)
from db.services.notices import notify
from db.services.policy import policy_in
from db.session import read_session, write_session

CONSULT_PAGE = "views/complaints/consult.py"
COMPLAINT_PAGE = "views/complaints/list.py"


# ----- consultants ----------------------------------------------------------------------------------


def list_consultants(*, actor: Actor, active_only: bool = True) -> list[Consultant]:
    if not (actor.can(Action.COMPLAINT_VIEW) or actor.can(Action.COMPLAINT_CONSULT_REPLY)):
        authorize(actor, Action.COMPLAINT_VIEW)
    with read_session() as s:
        stmt = select(Consultant).order_by(Consultant.speciality, Consultant.name)
        if active_only:
            stmt = stmt.where(Consultant.active == True)  # noqa: E712
        return list(s.exec(stmt).all())


def consultant_user_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """Active accounts holding the 专业顾问 role, to link a directory entry to the person who replies in the app."""
    authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE)
    with read_session() as s:
        rows = s.exec(select(User.id, User.display_name, User.username).join(UserRole, UserRole.user_id == User.id)
                      .where(UserRole.role == Role.CONSULTANT.value, User.active == True)  # noqa: E712
                      .distinct().order_by(User.display_name)).all()
        return [(i, f"{n}（{u}）") for i, n, u in rows]


def save_consultant(*, actor: Actor, consultant_id: int | None, name: str, speciality: str, phone: str = "",
                    email: str = "", unit: str = "", user_id: int | None = None, active: bool = True) -> int:
    """Add or edit an entry of the consultant directory the HQ 客服中心 publishes (一.1); audited with before/after."""
    authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE)
    name, speciality = (name or "").strip(), (speciality or "").strip()
    phone, email, unit = (phone or "").strip(), (email or "").strip(), (unit or "").strip()
    if not name or not speciality:
        raise DomainError("请填写顾问姓名和专业", field="name")
    if not phone and not email:
        raise DomainError("请至少填写一种联系方式（电话或邮箱），单位须能按名录联系到顾问", clause=rules.cite("D12", "一.1"),
                          field="phone")
    if len(name) > 64 or len(speciality) > 64 or len(phone) > 32 or len(email) > 100 or len(unit) > 100:
        raise DomainError("内容过长：姓名/专业最多64字，电话最多32字，邮箱、单位最多100字")
    with write_session() as s:
        if user_id is not None:
            linked = s.exec(select(UserRole.id).join(User, User.id == UserRole.user_id).where(
                UserRole.user_id == user_id, UserRole.role == Role.CONSULTANT.value, User.active == True)).first()  # noqa: E712
            if linked is None:
                raise DomainError("关联账号须是在职的“专业顾问”角色账号", field="user_id")
            taken = s.exec(select(Consultant.id).where(Consultant.user_id == user_id,
                                                       Consultant.id != (consultant_id or -1))).first()
            if taken is not None:
                raise DomainError("该账号已关联到另一位顾问", field="user_id")
        row = s.get(Consultant, consultant_id) if consultant_id else Consultant(name=name, speciality=speciality)
        if row is None:
            raise NotFound("顾问不存在")
        before = None if consultant_id is None else row.model_dump()
        row.name, row.speciality, row.phone, row.email, row.unit = name, speciality, phone, email, unit
        row.user_id, row.active = user_id, active
        s.add(row)
        s.flush()
        audit(s, actor=actor, action="consultant.save", entity="consultant", entity_id=row.id,
              summary=f"{'新增' if before is None else '修改'}顾问 {name}（{speciality}）", before=before,
              after=row.model_dump())
        return int(row.id)


def request_consult(*, actor: Actor, complaint_id: int, consultant_id: int, question: str, now: datetime,
                    temporary: bool = False, instead_of: int | None = None) -> int:
    """Ask a consultant (written reply within 24 h); a temporary consultant is assigned by HQ (一.2).

    ``instead_of``: the request whose consultant could not be reached; HQ's new request answers it (forwarded).
    """
    question = (question or "").strip()
    if not question:
        raise DomainError("请填写需要顾问支持的问题", field="question")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_CONSULT_REQUEST)
        if temporary:
            authorize(actor, Action.COMPLAINT_CONSULTANT_MANAGE, in_transaction=True)
        consultant = s.get(Consultant, consultant_id)
        if consultant is None or not consultant.active:
            raise DomainError("请选择在册的专业顾问", field="consultant")
        policy = policy_for(s, c, now)
        if instead_of is not None:
            old = s.exec(select(ConsultRequest).where(ConsultRequest.id == instead_of).with_for_update()).first()
            if old is None or old.complaint_id != c.id:
                raise DomainError("原顾问请求不存在", field="instead_of")
            if old.hq_forwarded_at is None:
                old.hq_forwarded_at = now
                s.add(old)
        row = ConsultRequest(complaint_id=c.id, office_id=c.office_id, consultant_id=consultant.id, is_temporary=temporary,
                             question=question[:4000], requested_at=now, requested_by=actor.user_id,
                             due_at=rules.consultant_due(now, policy))
        s.add(row)
        s.flush()
        if consultant.user_id:
            notify(s, recipient_user_ids=[consultant.user_id], kind="assigned", title=f"顾问支持请求：{c.number}",
                   body=question[:500], page=CONSULT_PAGE, entity="consult_request", entity_id=str(row.id),
                   office_id=c.office_id, requires_ack=False, due_at=row.due_at, now=now)
        record(s, c, actor=actor, action="consult", now=now, citation=policy.cite("complaint.consultant_reply"),
               note=f"请求{'临时' if temporary else ''}专业顾问 {consultant.name}（{consultant.speciality}）支持：{question[:200]}")
        reclassify(s, c, actor=None, now=now)
        return int(row.id)


def _consult(s, actor: Actor, consult_id: int, action: Action) -> tuple[ConsultRequest, Complaint]:
    row = s.exec(select(ConsultRequest).where(ConsultRequest.id == consult_id).with_for_update()).first()
    if row is None:
        raise NotFound("顾问请求不存在")
    return row, load(s, actor, row.complaint_id, action)


def consultant_unreachable(*, actor: Actor, consult_id: int, now: datetime) -> None:
    """The unit could not reach the consultant: the HQ 客服中心 must pass it on promptly (一.2)."""
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULT_REQUEST)
        if row.replied_at:
            raise DomainError("顾问已答复")
        policy = policy_for(s, c, now)
        if row.hq_asked_at:
            raise DomainError("已请客服中心协调，请等待客服中心联系顾问或指派临时顾问")
        row.hq_asked_at, row.hq_forward_due_at = now, rules.hq_forward_due(now, policy)
        s.add(row)
        consultant = s.get(Consultant, row.consultant_id)
        notify(s, recipient_user_ids=hq_user_ids(s), kind="assigned", title=f"联系不上专业顾问，请协调：{c.number}",
               body=f"{consultant.name}（{consultant.speciality}）联系不上。问题：{row.question[:300]}",
               page=COMPLAINT_PAGE, entity="complaint", entity_id=str(c.id), office_id=c.office_id,
               due_at=row.hq_forward_due_at, now=now)
        record(s, c, actor=actor, action="consult_hq", now=now, citation=policy.cite("complaint.hq_forward_within"),
               note=f"联系不上专业顾问 {consultant.name}，已请客服中心及时联系顾问或指派临时顾问")


def hq_forwarded(*, actor: Actor, consult_id: int, now: datetime) -> None:
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULTANT_MANAGE)
        if row.hq_asked_at is None or row.hq_forwarded_at is not None:
            raise DomainError("该请求没有待客服中心转达的协调要求")
        row.hq_forwarded_at = now
        s.add(row)
        late = now > _aware(row.hq_forward_due_at)
        record(s, c, actor=actor, action="consult_forwarded", now=now, citation=rules.cite("D12", "一.2"),
               note="客服中心已联系到顾问并转达求助" + ("（已超过转达时限）" if late else ""))


def final_result_notified(*, actor: Actor, consult_id: int, now: datetime) -> None:
    """The unit tells the HQ 客服中心 the final outcome of a consultant-supported complaint (一.1)."""
    with write_session() as s:
        row, c = _consult(s, actor, consult_id, Action.COMPLAINT_CONSULT_REQUEST)
        if row.replied_at is None:
            raise DomainError("顾问尚未答复，暂不能告知最终结果")
        if row.final_result_notified_at is not None:
            raise DomainError("已告知客服中心最终结果")
        row.final_result_notified_at = now
        s.add(row)
        notify(s, recipient_user_ids=hq_user_ids(s), kind="info", title=f"顾问支持的投诉最终结果：{c.number}",
               body=c.handling_result[:500] or rules.STATE_LABELS[rules.State(c.state)], page=COMPLAINT_PAGE,
               entity="complaint", entity_id=str(c.id), office_id=c.office_id, now=now)
        record(s, c, actor=actor, action="consult_result", now=now, citation=rules.cite("D12", "一.1"),
               note="已将最终处理结果告知客服中心")


def hq_user_ids(s) -> list[int]:
    """Active accounts of the HQ 客服中心 (head and specialists)."""
    return list(s.exec(select(UserRole.user_id).join(User, User.id == UserRole.user_id).where(
        UserRole.role.in_([Role.HQ_HEAD.value, Role.HQ_SPECIALIST.value]), User.active == True)).all())  # noqa: E712


def reply_consult(*, actor: Actor, consult_id: int, reply: str, now: datetime) -> None:
    """The written reply (due 24 h after the request)."""
    reply = (reply or "").strip()
    if not reply:
        raise DomainError("请填写书面答复", field="reply")
    with write_session() as s:
        row = s.exec(select(ConsultRequest).where(ConsultRequest.id == consult_id).with_for_update()).first()
        consultant = s.get(Consultant, row.consultant_id) if row else None
        if row is None:
            raise NotFound("顾问请求不存在")
        authorize(actor, Action.COMPLAINT_CONSULT_REPLY, in_transaction=True)
        is_hq = actor.can(Action.COMPLAINT_CONSULTANT_MANAGE)
        if not is_hq and consultant.user_id != actor.user_id:
            raise NotFound("顾问请求不存在")
        if row.replied_at:
            raise DomainError("该请求已答复")
        c = s.exec(select(Complaint).where(Complaint.id == row.complaint_id).with_for_update()).one()
        row.replied_at, row.reply, row.replied_by = now, reply[:4000], actor.user_id
        s.add(row)
        for n in s.exec(select(Notice).where(Notice.entity == "consult_request", Notice.entity_id == str(row.id),
                                             Notice.acked_at == None)).all():  # noqa: E711  the request is answered
            n.acked_at = now
            s.add(n)
        late = now > _aware(row.due_at)
        record(s, c, actor=actor, action="consult_reply", now=now, citation=rules.cite("D12", "一.3"),
               note=f"顾问 {consultant.name} 书面答复" + ("（已超过24小时时限）" if late else "") + f"：{reply[:300]}")


def my_consult_requests(*, actor: Actor, open_only: bool = True, page: int = 1, page_size: int = 30) -> Page:
    authorize(actor, Action.COMPLAINT_CONSULT_REPLY)
    with read_session() as s:
        stmt = select(ConsultRequest, Consultant.name, Complaint.number, Complaint.title).join(
            Consultant, Consultant.id == ConsultRequest.consultant_id).join(Complaint, Complaint.id == ConsultRequest.complaint_id)
        if not actor.can(Action.COMPLAINT_CONSULTANT_MANAGE):
            stmt = stmt.where(Consultant.user_id == actor.user_id)
        if open_only:
            stmt = stmt.where(ConsultRequest.replied_at == None)  # noqa: E711
        return paginate(s, stmt, page=page, page_size=page_size, order_by=[ConsultRequest.due_at, ConsultRequest.id])


@work_provider("complaint_consults")
def consult_work(*, actor: Actor, now: datetime) -> list[WorkItem]:
    if not actor.can(Action.COMPLAINT_CONSULT_REPLY):
        return []
    result = my_consult_requests(actor=actor, page=1, page_size=1)
    if not result.total:
        return []
    return [WorkItem(title="待答复的顾问请求", count=result.total, page=CONSULT_PAGE, severity="warning",
                     due_at=_aware(result.rows[0][0].due_at), source="投诉")]


# ----- same-issue groups --------------------------------------------------------------------------


def suggest_same_issue(*, actor: Actor, complaint_id: int, now: datetime) -> list[tuple[int, str, int | None]]:
    """Same category and building within the configured days either side: (complaint id, "number title", group id).

    Complaints already in this complaint's group are left out: they are members, not suggestions.
    """
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("投诉不存在或不在您的管理范围内")
        if not c.building_id:
            return []
        days = policy_for(s, c, now)["complaint.same_issue_suggest_days"]
        received = _aware(c.received_at)
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
        c = s.get(Complaint, complaint_id)
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("投诉不存在或不在您的管理范围内")
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
                    with_complaint_id: int | None = None, title: str = "") -> int:
    """Put the complaint into a same-issue group (existing, another complaint's, or a new one) and reclassify all."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        other = None
        if with_complaint_id:
            other = s.exec(select(Complaint).where(Complaint.id == with_complaint_id).with_for_update()).first()
            if other is None or other.office_id != c.office_id:
                raise DomainError("只能与本管理处的投诉归为同一事项")
            group_id = group_id or other.same_issue_group_id or c.same_issue_group_id
        if group_id:
            group = s.get(SameIssueGroup, group_id)
            if group is None or group.office_id != c.office_id:
                raise DomainError("同一事项分组不存在")
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
        return int(group.id)


def unlink_same_issue(*, actor: Actor, complaint_id: int, reason: str, now: datetime) -> None:
    """Take the complaint out of its group (wrongly linked); the remaining members are reclassified too."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("移出同一事项须填写理由", field="reason")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        if not c.same_issue_group_id:
            raise DomainError("该投诉未归入任何同一事项")
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


# ----- online posts (网上投诉) ------------------------------------------------------------------------


def _load_online(s, actor: Actor, complaint_id: int):
    """Units (处理 rights) and the HQ 客服中心 (who forwards online complaints) both keep the online record."""
    action = Action.COMPLAINT_HANDLE if not actor.can(Action.COMPLAINT_ONLINE_REPLY) else Action.COMPLAINT_ONLINE_REPLY
    return load(s, actor, complaint_id, action)


def apply_online_post(s, c: Complaint, post: OnlinePost, *, platform: str, url: str, poster_handle: str,
                      posted_at: datetime | None, forwarded_by_hq_at: datetime | None, viral: bool,
                      now: datetime) -> None:
    """Fill the online record in the caller's transaction: the facts report runs from HQ's forwarding (else receipt)."""
    platform, url, poster_handle = (platform or "").strip(), (url or "").strip(), (poster_handle or "").strip()
    if not platform:
        raise DomainError("请填写网上投诉的发布平台", field="platform")
    if url and not url.lower().startswith(("http://", "https://")):
        raise DomainError("链接须以 http:// 或 https:// 开头", field="url")
    for moment, label in ((posted_at, "发帖时间"), (forwarded_by_hq_at, "总部转来时间")):
        if moment is not None and (moment.tzinfo is None or moment > now + timedelta(minutes=5)):
            raise DomainError(f"{label}不能晚于现在", field=label)
    policy = policy_for(s, c, now)
    post.platform, post.url, post.poster_handle = platform[:64], url[:500], poster_handle[:64]
    post.posted_at, post.forwarded_by_hq_at, post.viral = posted_at, forwarded_by_hq_at, viral
    start = forwarded_by_hq_at or _aware(c.received_at)
    post.facts_due_at = rules.online_facts_due(start, viral=viral, policy=policy)
    s.add(post)


def save_online_post(*, actor: Actor, complaint_id: int, platform: str, url: str, poster_handle: str,
                     posted_at: datetime | None, viral: bool, now: datetime,
                     forwarded_by_hq_at: datetime | None = None) -> None:
    """网上投诉处理 第1–2条: where it was posted, when HQ forwarded it; the written-facts deadline follows."""
    with write_session() as s:
        c = _load_online(s, actor, complaint_id)
        post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first() or OnlinePost(complaint_id=c.id)
        apply_online_post(s, c, post, platform=platform, url=url, poster_handle=poster_handle, posted_at=posted_at,
                          forwarded_by_hq_at=forwarded_by_hq_at, viral=viral, now=now)
        policy = policy_for(s, c, now)
        key = "complaint.online_facts_viral" if viral else "complaint.online_facts"
        record(s, c, actor=actor, action="online", now=now, citation=policy.cite(key),
               note=f"网上投诉：{post.platform}" + ("（已引起广泛关注）" if viral else "") + "，书面事实报告期限随之计算")
        if viral and not c.media_or_lawsuit_risk:
            c.media_or_lawsuit_risk = True
            reclassify(s, c, actor=actor, now=now, reason="网上投诉已引起关注")


def _registered_post(s: Session, c: Complaint) -> OnlinePost:
    """The complaint's online-post record; the later steps of 网上投诉处理 need it registered first."""
    post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first()
    if post is None:
        raise DomainError("请先登记网上投诉信息")
    return post


def online_department_notified(*, actor: Actor, complaint_id: int, now: datetime) -> None:
    """The unit has told the head of the department complained about (网上投诉处理 第1条: immediately)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        post = _registered_post(s, c)
        if post.unit_notified_at is not None:
            raise DomainError("已记录通知被投诉部门负责人")
        post.unit_notified_at = now
        s.add(post)
        record(s, c, actor=actor, action="online_notified", now=now, citation=rules.cite("D17", "第1条"),
               note="已立即通知被投诉部门负责人（或指定岗位）")


def online_facts(*, actor: Actor, complaint_id: int, facts_text: str, now: datetime) -> None:
    """The department's written facts and proposed measures (第2条); the HQ public reply may follow (第3条)."""
    if not (facts_text or "").strip():
        raise DomainError("请填写书面事实及拟采取的措施", field="facts_text")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        post = _registered_post(s, c)
        if post.facts_at is not None:
            raise DomainError("书面事实报告已提交")
        policy = policy_for(s, c, now)
        post.facts_at, post.facts_text = now, facts_text.strip()[:2000]
        amount, unit = policy.duration("complaint.online_public_reply")
        post.public_reply_due_at = due_at(now, amount, unit, policy.calendar())
        s.add(post)
        late = post.facts_due_at is not None and now > _aware(post.facts_due_at)
        record(s, c, actor=actor, action="online_facts", now=now, citation=policy.cite("complaint.online_facts"),
               note="已提交书面事实报告及拟采取的措施" + ("（已超过时限）" if late else ""))


def online_public_reply(*, actor: Actor, complaint_id: int, reply_text: str, now: datetime) -> None:
    """Only the HQ 客服中心 posts the public reply (网上投诉处理 第3条)."""
    if not (reply_text or "").strip():
        raise DomainError("请填写公开回复内容", field="reply_text")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_ONLINE_REPLY)
        post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first()
        if post is None or post.facts_at is None:
            raise DomainError("须在收到单位书面事实报告后再公开回复", clause=rules.cite("D17", "第3条"))
        if post.public_reply_at is not None:
            raise DomainError("已公开回复", clause=rules.cite("D17", "第3条"))
        post.public_reply_at, post.reply_text = now, reply_text.strip()[:2000]
        s.add(post)
        record(s, c, actor=actor, action="online_reply", now=now, citation=rules.cite("D17", "第3条"), note="总部已网上公开回复")


# ----- attachments ----------------------------------------------------------------------------------


def upload_limit(*, now: datetime) -> tuple[int, str]:
    """The attachment size cap in bytes (policy book) and its citation, for the uploader's help text."""
    with read_session() as s:
        policy = policy_in(s, at=now)
        return int(policy["complaint.attachment_max_kb"]) * 1024, policy.cite("complaint.attachment_max_kb")


def check_files(files: list[tuple[str, bytes]], *, now: datetime) -> list[CleanUpload]:
    """Validate by content (JPG/PNG/PDF) and size from the policy book; images are re-encoded (core.uploads).

    CPU work: call it before the write transaction opens.
    """
    limit, clause = upload_limit(now=now)
    cleaned = []
    for name, data in files:
        try:
            cleaned.append(clean_upload(data, name, max_bytes=limit))
        except DomainError as exc:
            raise DomainError(f"附件“{(name or '附件')[:60]}”：{exc.message}", clause=clause) from exc
    return cleaned


def store_attachments(s, c: Complaint, files: list[CleanUpload], *, actor: Actor, now: datetime) -> list[int]:
    """Insert checked files in the caller's transaction, with one timeline event."""
    ids = []
    for f in files:
        row = ComplaintAttachment(complaint_id=c.id, filename=f.filename[:200], mime=f.mime, size=len(f.data),
                                  data=f.data, uploaded_at=now, uploaded_by=actor.user_id)
        s.add(row)
        s.flush()
        ids.append(int(row.id))
    if files:
        names = "、".join(f"{f.filename}（{max(1, len(f.data) // 1024)} KB）" for f in files)
        record(s, c, actor=actor, action="attachment", now=now, note=f"上传附件 {names}"[:1000])
    return ids


def add_attachment(*, actor: Actor, complaint_id: int, filename: str, data: bytes, now: datetime) -> int:
    """One photo or scan on an existing complaint (stored in the database, so a backup holds it)."""
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        office = c.office_id if c else None
    authorize(actor, Action.COMPLAINT_HANDLE, office)
    files = check_files([(filename, data)], now=now)
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        return store_attachments(s, c, files, actor=actor, now=now)[0]


def attachment(*, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    with read_session() as s:
        row = s.get(ComplaintAttachment, attachment_id)
        c = s.get(Complaint, row.complaint_id) if row else None
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("附件不存在")
        return row.filename, row.mime, bytes(row.data)


# ----- responsibility ---------------------------------------------------------------------------------


def hq_head_name(s) -> str:
    """The head of the HQ 客服中心 (责任划分 二.2 names the post; the account shows who holds it)."""
    name = s.exec(select(User.display_name).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == Role.HQ_HEAD.value, User.active == True).order_by(User.id)).first()  # noqa: E712
    return f"客服中心负责人 {name}" if name else "客服中心负责人"


def _findings(s, c: Complaint, now: datetime) -> list[rules.Finding]:
    rows = s.exec(select(ConsultRequest, Consultant.name).join(Consultant)
                  .where(ConsultRequest.complaint_id == c.id)).all()
    consults = tuple(rules.ConsultTimes(consultant_name=n, requested_at=_aware(r.requested_at),
                                        reply_due_at=_aware(r.due_at), replied_at=_aware(r.replied_at),
                                        hq_asked_at=_aware(r.hq_asked_at), hq_forward_due_at=_aware(r.hq_forward_due_at),
                                        hq_forwarded_at=_aware(r.hq_forwarded_at)) for r, n in rows)
    resolved = _aware(c.verified_at or c.closed_at) if rules.State(c.state) not in rules.UNRESOLVED_STATES else None
    facts = rules.ResponsibilityFacts(as_of=now, handling_due_at=_aware(c.due_at), resolved_at=resolved,
                                      contact_person=contact_person(s, c.office_id), hq_head=hq_head_name(s),
                                      consults=consults)
    return rules.attribute_responsibility(facts)


def responsibility(*, actor: Actor, complaint_id: int, now: datetime) -> list[rules.Finding]:
    """Who answers for a missed deadline (责任划分 二): a finding to act on manually, never a fine by itself."""
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("投诉不存在或不在您的管理范围内")
        return _findings(s, c, now)


@dataclass
class FindingView:
    finding: rules.Finding
    decision: ComplaintFinding | None = None
    decided_by_name: str = ""


def findings(*, actor: Actor, complaint_id: int, now: datetime) -> list[FindingView]:
    """The proposed findings with any recorded decision, plus decisions on findings no longer proposed."""
    with read_session() as s:
        c = s.get(Complaint, complaint_id)
        if c is None or not actor.can(Action.COMPLAINT_VIEW, c.office_id):
            raise NotFound("投诉不存在或不在您的管理范围内")
        decided = {(d.clause, d.person): d for d in s.exec(
            select(ComplaintFinding).where(ComplaintFinding.complaint_id == c.id).order_by(ComplaintFinding.id)).all()}
        names = dict(s.exec(select(User.id, User.display_name)).all()) if decided else {}
        views = [FindingView(f, decided.pop((f.clause, f.person), None)) for f in _findings(s, c, now)]
        views += [FindingView(rules.Finding(d.clause, d.person, d.reason, d.citation), d) for d in decided.values()]
        for v in views:
            v.decided_by_name = names.get(v.decision.decided_by, "") if v.decision else ""
        return views


FINDING_DECISIONS = {"confirmed": "确认责任", "rejected": "不予认定"}


def decide_finding(*, actor: Actor, complaint_id: int, clause: str, person: str, decision: str, note: str,
                   now: datetime) -> int:
    """The manual, reasoned step: confirm or set aside a proposed finding (audited; one decision per finding)."""
    if decision not in FINDING_DECISIONS:
        raise DomainError("请选择“确认责任”或“不予认定”", field="decision")
    note = (note or "").strip()
    if len(note) < 4:
        raise DomainError("请写明认定理由（至少4个字）", clause=rules.C_RESP, field="note")
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_RESPONSIBILITY_CONFIRM)
        proposed = {(f.clause, f.person): f for f in _findings(s, c, now)}
        finding = proposed.get((clause, person))
        if finding is None:
            raise DomainError("该责任认定建议已不成立（时限情况已变化），请刷新后再认定", clause=rules.C_RESP)
        done = s.exec(select(ComplaintFinding.id).where(ComplaintFinding.complaint_id == c.id,
                                                        ComplaintFinding.clause == clause,
                                                        ComplaintFinding.person == person)).first()
        if done is not None:
            raise DomainError("该责任已认定，不能重复认定", clause=rules.C_RESP)
        row = ComplaintFinding(complaint_id=c.id, clause=clause, person=person[:64], reason=finding.reason[:200],
                               citation=finding.citation[:200], decision=decision, note=note[:1000],
                               decided_by=actor.user_id, decided_at=now)
        s.add(row)
        s.flush()
        record(s, c, actor=actor, action="responsibility", now=now, citation=finding.citation,
               note=f"责任认定（{clause}，{person}）：{FINDING_DECISIONS[decision]}。理由：{note[:300]}",
               after={"clause": clause, "person": person, "decision": decision, "note": note[:300]})
        return int(row.id)
