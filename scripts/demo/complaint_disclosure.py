"""Demo 投诉公示: the monthly tasks of the last three months as the hourly job opens them (skipped where a month had
nothing to publish), the older ones published on the notice board or the estate website, last month's still owed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import func, select

from core import complaint_disclosure as rules
from core import complaint_stats as months
from db.models import ComplaintDisclosure
from db.services import complaint_disclosure as disclosure
from db.services.auth import build_actor
from db.services.policy import current_policy

ORDER = 57  # after the complaints they publish


def run(ctx) -> None:
    s = ctx.session
    if s.exec(select(func.count()).select_from(ComplaintDisclosure)).one():
        return
    tz = current_policy(s, at=ctx.now).calendar().tz
    s.commit()
    this_month = months.first_of_month(ctx.now.astimezone(tz).date())
    starts = [this_month]
    for _ in range(3):
        starts.append(months.previous_month(starts[-1]))
    users = ctx.ids["users"]
    offices = {o: i for i, o in enumerate(ctx.ids["offices"], start=1)}
    for start in reversed(starts[:3]):  # the job's run on the first morning of each of the last three months
        opened_at = min(datetime.combine(start, time(1), tz).astimezone(UTC), ctx.now)
        disclosure.open_last_month(now=opened_at)
        if start == this_month:
            continue  # last month's publications still owed
        month = months.previous_month(start)
        for row in disclosure.tasks(actor=build_actor(users["hq_kf"], now=ctx.now), month=month, now=ctx.now):
            if row.state != rules.TaskState.PENDING:
                continue
            sup = build_actor(users[f"supervisor{offices[row.office_id]}"], now=ctx.now)
            on = start + timedelta(days=4)
            disclosure.publish(actor=sup, disclosure_id=row.id, photos=[], request_id=None,
                               now=datetime.combine(on, time(10), tz).astimezone(UTC),
                               publication=rules.Publication(on, "website", f"https://estate.example.cn/notice/{row.id}",
                                                             "同时张贴于各楼栋公告栏"))
