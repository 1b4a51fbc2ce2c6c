"""Demo 《顾客投诉分类统计表》: the demo offices' tables of the last three months, submitted through the real service
on time (one returned by headquarters and corrected), and last month's still to submit for one office, so the
page and "my work" show every state. Skipped if tables exist."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from core import complaint_stats as rules
from db.models import ComplaintStatsReport
from db.services import complaint_stats as stats
from db.services.auth import build_actor
from db.services.policy import current_policy

ORDER = 55  # after the complaints they count


def run(ctx) -> None:
    s = ctx.session
    if s.exec(select(func.count()).select_from(ComplaintStatsReport)).one():
        return
    policy = current_policy(s, at=ctx.now)
    s.commit()  # release the demo session's write lock before the services write
    users = ctx.ids["users"]
    hq = build_actor(users["hq_kf"], now=ctx.now)
    this_month = rules.first_of_month(ctx.now.astimezone(policy.calendar().tz).date())
    months = [rules.previous_month(this_month)]
    for _ in range(2):
        months.append(rules.previous_month(months[-1]))
    for index, office_id in enumerate(ctx.ids["offices"], start=1):
        director = build_actor(users[f"director{index}"], now=ctx.now)
        for n, month in enumerate(reversed(months)):
            last = month == months[0]
            if last and index > 1:
                continue  # last month's table still to submit: on the page and in the director's "my work"
            due = rules.due_at(month, policy)
            at = min(due - timedelta(days=1, hours=3), ctx.now)
            report = stats.submit(actor=director, office_id=office_id, month=month, request_id=None, now=at)
            if index == 1 and n == 1:  # headquarters sends one back; the office corrects it the same day
                stats.return_for_correction(actor=hq, stats_report_id=report.id, now=at + timedelta(hours=2),
                                            reason="“装修”类与“邻里纠纷”类有两件归类不一致，请核对后重新报送")
                stats.submit(actor=director, office_id=office_id, month=month, request_id=None,
                             now=at + timedelta(hours=5))
    stats.open_last_month(now=ctx.now)  # the hourly job's work: every office owes last month's table
