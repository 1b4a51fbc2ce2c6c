"""网上投诉处理 (docs 17): where a complaint was posted, the unit telling the department at once, its written
facts within the deadline (shorter when the post drew wide attention), and the public reply only HQ posts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from core import complaint_duties as duty
from core import complaint_workflow as wf
from core import complaints as rules
from core.errors import DomainError
from core.permissions import Action, Actor
from core.worktime import due_at
from db.models import Complaint, OnlinePost
from db.models.base import as_utc
from db.services.base import already_done, remember
from db.services.complaint_kernel import load, meet_deadline, policy_for, reclassify, record, set_deadline
from db.session import write_session


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
    start = forwarded_by_hq_at or as_utc(c.received_at)
    s.add(post)
    if post.facts_at is None:  # already reported: the deadline it met stays
        key = "complaint.online_facts_viral" if viral else "complaint.online_facts"
        set_deadline(s, c, duty.ONLINE_FACTS.code, rules.online_facts_due(start, viral=viral, policy=policy), now=now,
                     row=post, started_at=start, clause=policy.cite(key))


def save_online_post(*, actor: Actor, complaint_id: int, platform: str, url: str, poster_handle: str,
                     posted_at: datetime | None, viral: bool, now: datetime,
                     forwarded_by_hq_at: datetime | None = None, request_id: str | None = None) -> int:
    """网上投诉处理 第1–2条: where it was posted, when HQ forwarded it; the written-facts deadline follows.

    Returns the online-post id (one per complaint: a later save edits it).
    """
    with write_session() as s:
        c = _load_online(s, actor, complaint_id)
        if done := already_done(s, request_id, "online_post"):
            return int(done)
        wf.require(wf.Op.ONLINE_POST, wf.Situation.of(c))
        post = s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first() or OnlinePost(complaint_id=c.id)
        apply_online_post(s, c, post, platform=platform, url=url, poster_handle=poster_handle, posted_at=posted_at,
                          forwarded_by_hq_at=forwarded_by_hq_at, viral=viral, now=now)
        policy = policy_for(s, c, now)
        key = "complaint.online_facts_viral" if viral else "complaint.online_facts"
        record(s, c, actor=actor, action="online", now=now, citation=policy.cite(key),
               note=f"网上投诉：{post.platform}" + ("（已引起广泛关注）" if viral else "") + "，书面事实报告期限随之计算")
        if rules.media_exposure(c.channel, viral) and not c.media_exposed:  # 一.1: exposed on an outside website
            c.media_exposed = True
            reclassify(s, c, actor=actor, now=now, reason="网上投诉已引起广泛关注，按媒体曝光（外部网站）认定")
        s.flush()
        remember(s, request_id, "online_post", post.id)
        return int(post.id)


def online_post_of(s: Session, c: Complaint) -> OnlinePost | None:
    """The complaint's online-post record, if registered (the later steps of 网上投诉处理 need it)."""
    return s.exec(select(OnlinePost).where(OnlinePost.complaint_id == c.id)).first()


def online_department_notified(*, actor: Actor, complaint_id: int, now: datetime) -> None:
    """The unit has told the head of the department complained about (网上投诉处理 第1条: immediately)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        post = online_post_of(s, c)
        wf.require(wf.Op.ONLINE_NOTIFIED, wf.Situation.of(c), online=wf.OnlineSituation.of(post))
        post.unit_notified_at = now
        s.add(post)
        record(s, c, actor=actor, action="online_notified", now=now, citation=rules.cite("D17", "第1条"),
               note="已立即通知被投诉部门负责人（或指定岗位）")


def online_facts(*, actor: Actor, complaint_id: int, facts_text: str, now: datetime) -> None:
    """The department's written facts and proposed measures (第2条); the HQ public reply may follow (第3条)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_HANDLE)
        post = online_post_of(s, c)
        wf.require(wf.Op.ONLINE_FACTS, wf.Situation.of(c), online=wf.OnlineSituation.of(post))
        if not (facts_text or "").strip():
            raise DomainError("请填写书面事实及拟采取的措施", field="facts_text")
        policy = policy_for(s, c, now)
        late = post.facts_due_at is not None and now > as_utc(post.facts_due_at)
        post.facts_text = facts_text.strip()[:2000]
        meet_deadline(s, c, duty.ONLINE_FACTS.code, at=now, by=actor.user_id, row=post)
        amount, unit = policy.duration("complaint.online_public_reply")
        set_deadline(s, c, duty.ONLINE_REPLY.code, due_at(now, amount, unit, policy.calendar()), now=now, row=post,
                     clause=policy.cite("complaint.online_public_reply"))
        s.add(post)
        record(s, c, actor=actor, action="online_facts", now=now, citation=policy.cite("complaint.online_facts"),
               note="已提交书面事实报告及拟采取的措施" + ("（已超过时限）" if late else ""))


def online_public_reply(*, actor: Actor, complaint_id: int, reply_text: str, now: datetime) -> None:
    """Only the HQ 客服中心 posts the public reply (网上投诉处理 第3条)."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_ONLINE_REPLY)
        post = online_post_of(s, c)
        wf.require(wf.Op.ONLINE_REPLY, wf.Situation.of(c), online=wf.OnlineSituation.of(post))
        if not (reply_text or "").strip():
            raise DomainError("请填写公开回复内容", field="reply_text")
        post.reply_text = reply_text.strip()[:2000]
        meet_deadline(s, c, duty.ONLINE_REPLY.code, at=now, by=actor.user_id, row=post)
        s.add(post)
        record(s, c, actor=actor, action="online_reply", now=now, citation=rules.cite("D17", "第3条"), note="总部已网上公开回复")


def online_result_posted(*, actor: Actor, complaint_id: int, url: str, now: datetime) -> None:
    """HQ has posted the handling result on the public thread (网上投诉处理 第4条): who, when and the link are kept,
    and the complaint may be archived only after it."""
    with write_session() as s:
        c = load(s, actor, complaint_id, Action.COMPLAINT_ONLINE_REPLY)
        post = online_post_of(s, c)
        wf.require(wf.Op.ONLINE_RESULT, wf.Situation.of(c), online=wf.OnlineSituation.of(post))
        url = (url or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            raise DomainError("请填写公布处理结果的帖子链接（以 http:// 或 https:// 开头）", field="url",
                              clause=wf.C_ONLINE_RESULT)
        post.result_posted_at, post.result_posted_by, post.result_url = now, actor.user_id, url[:500]
        s.add(post)
        record(s, c, actor=actor, action="online_result", now=now, citation=wf.C_ONLINE_RESULT,
               note=f"总部已在原帖公布处理结果：{post.result_url}")
