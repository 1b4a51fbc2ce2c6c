"""Passes on top of the shared world (tests/db/world.py): an owner linked to office A's 房屋, a clerk and a guard
per office, and a helper building a decoration worker's pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.identity import with_check_character
from core.permissions import Actor
from core.roles import Role
from db.services import passes, people
from tests.db.world import ID_NUMBER, World

WORKER_IDS = [with_check_character(f"33010219850101{n:03d}") for n in range(100, 140)]


@dataclass
class PassWorld:
    w: World
    clerk: dict[int, Actor]
    guard: dict[int, Actor]
    director: dict[int, Actor]
    now: datetime

    @property
    def a(self) -> int:
        return self.w.office_a

    def worker(self, n: int = 0, *, office: int | None = None, days: int = 30, **changes) -> passes.PassIn:
        office = office or self.a
        start = self.now.date()
        data = dict(office_id=office, pass_type="temporary", purpose="decoration", holder_name=f"工人{n}",
                    id_type="resident_id", id_number=WORKER_IDS[n], room_ids=[self.w.prop[office]],
                    applicant_kind="contractor_head", applicant_name="李工头", valid_from=start,
                    valid_to=start + timedelta(days=days), decoration_until=start + timedelta(days=60),
                    employer="美居装饰", receipt_no=f"SJ{n:04d}", phone="13900001111")
        data.update(changes)
        return passes.PassIn(**data)

    def resident(self, **changes) -> passes.PassIn:
        start = self.now.date()
        data = dict(office_id=self.a, pass_type="resident", holder_name="业主A", id_type="resident_id",
                    id_number=ID_NUMBER, room_ids=[self.w.prop[self.a]], applicant_kind="owner", applicant_name="业主A",
                    valid_from=start, valid_to=date(start.year + 1, 12, 31), original_verified=True)
        data.update(changes)
        return passes.PassIn(**data)

    def issue(self, n: int = 0, **changes):
        return passes.issue(actor=self.clerk[self.a], data=self.worker(n, **changes), request_id=None, now=self.now)


def build(w: World, make_actor, now: datetime) -> PassWorld:
    for office in w.offices:  # the world's customers own their office's 房屋
        people.link_property(actor=w.admin, customer_id=w.customer[office], property_id=w.prop[office],
                             relation="owner", since=None)
    return PassWorld(w, {o: make_actor(Role.CLERK, o) for o in w.offices},
                     {o: make_actor(Role.GUARD, o) for o in w.offices},
                     {o: make_actor(Role.OFFICE_DIRECTOR, o) for o in w.offices}, now)
