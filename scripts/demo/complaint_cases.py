"""Demo 案例库: cases written up from the demo's archived 重大/热点/重要 complaints through the real services —
published ones (found by everyone), one returned by headquarters, one draft — and some still owed."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from core import complaint_cases as rules
from db.models import ComplaintCase, Duty
from db.services import complaint_cases as cases
from db.services.auth import build_actor

ORDER = 56  # after the complaints they write up

LESSONS = [
    ("首次处理只解决了表面问题，未查明根本原因，业主再次投诉。", "处理后当天回访确认效果；疑难问题请专业顾问到场。",
     "同类问题每月复盘一次，纳入部门例会。", "根本原因、重复投诉"),
    ("处理进度未及时告知业主，业主多次来电追问。", "指定专人全程跟进，每天告知业主进展。",
     "重要投诉设每日进度提醒，客服主任每日检查。", "进度告知、沟通"),
    ("前台接待未执行首问负责制，业主在部门之间来回奔波。", "首问人负责到底，转办时当面交接。",
     "每月开展一次首问负责制培训与抽查。", "首问负责、服务态度"),
    ("相关规定未向业主公示，业主对处理依据有误解。", "当面逐条解释依据，书面答复留档。",
     "在公告栏和小区网站长期公示相关规定。", "信息公示、沟通"),
]


def run(ctx) -> None:
    s = ctx.session
    if s.exec(select(func.count()).select_from(ComplaintCase)).one():
        return
    owed = s.exec(select(Duty.record_id, Duty.office_id).where(Duty.duty == rules.SUBMIT.code, Duty.state == "open")
                  .order_by(Duty.due_at)).all()
    s.commit()
    users = ctx.ids["users"]
    hq = build_actor(users["hq_kf"], now=ctx.now)
    offices = {o: i for i, o in enumerate(ctx.ids["offices"], start=1)}
    for n, (complaint_id, office_id) in enumerate(owed[:6]):
        writer = build_actor(users[f"manager{offices[office_id]}"], now=ctx.now)
        at = ctx.now - timedelta(days=20 - 3 * n)
        draft = cases.draft_from(actor=writer, complaint_id=complaint_id, now=at).text
        cause, handling_lesson, prevention, tags = LESSONS[n % len(LESSONS)]
        text = rules.CaseText(summary=draft.summary, cause=cause, handling=draft.handling or "专人跟进处理至业主满意。",
                              result="问题解决，回访满意。", lessons=handling_lesson, prevention=prevention,
                              tags=(*draft.tags, *tags.split("、")))
        case = cases.create(actor=writer, complaint_id=complaint_id, text=text, request_id=None, now=at)
        if n == 5:
            continue  # a draft still being written
        cases.submit(actor=writer, complaint_case_id=case.id, now=at + timedelta(hours=2))
        if n == 4:
            cases.return_case(actor=hq, complaint_case_id=case.id, now=at + timedelta(days=1),
                              reason="预防措施请写明责任岗位和完成时间")
            continue
        cases.publish(actor=hq, complaint_case_id=case.id, now=at + timedelta(days=1))
