"""Random step sequences through the reception services: nothing is accepted that core.reception did not offer, and
everything it offered with valid inputs is accepted (the services and the rules agree)."""

from __future__ import annotations

import random

import pytest

from core import reception as rules
from core.errors import DomainError
from db.services import reception_flow as flow
from db.services.policy import policy_at
from tests.db.test_reception import Desk, contact_row


@pytest.fixture
def desk(org, make_actor, now, db_url) -> Desk:
    return Desk(org, make_actor, now, db_url)


def _call(desk: Desk, op: rules.Op, cid: int, actor) -> None:
    n = desk.now
    calls = {
        rules.Op.ANSWER: lambda: flow.answer(actor=actor, contact_id=cid, result="已答复", now=n),
        rules.Op.DISPATCH: lambda: flow.dispatch(actor=actor, contact_id=cid, department_id=desk.dept, user_id=None,
                                                 now=n),
        rules.Op.COMPLETE: lambda: flow.complete(actor=actor, contact_id=cid, result="已办结", now=n),
        rules.Op.CONVERT: lambda: flow.convert_to_complaint(actor=actor, contact_id=cid, complaint_category="other", now=n),
        rules.Op.FOLLOW_UP: lambda: flow.follow_up(actor=actor, contact_id=cid, note="已跟进", now=n),
        rules.Op.CLOSE: lambda: flow.close(actor=actor, contact_id=cid, now=n),
        rules.Op.REPLY: lambda: flow.reply_letter(actor=actor, contact_id=cid, replied_at=n, method="letter",
                                                  copy_kept=True, now=n),
        rules.Op.CALLBACK: lambda: flow.callback_done(actor=actor, contact_id=cid, note="已回电", now=n),
    }
    calls[op]()


def test_random_sequences_agree_with_the_rules(desk):
    rng = random.Random(12)
    policy = policy_at(desk.now)
    people = [desk.clerk, desk.worker]  # the desk, and a member of the department items are routed to
    for n in range(6):
        c = desk.log(channel=rng.choice(["phone", "letter", "visit"]), category=rng.choice(["consult", "complaint"]),
                     callback_needed=rng.random() < 0.5)
        for _ in range(12):
            op, actor = rng.choice(list(rules.Op)), rng.choice(people)
            row = contact_row(c.id)
            staff_dept = desk.dept if actor is desk.worker else None
            who = rules.Relation(user_id=actor.user_id, department_id=staff_dept, supervisor=False)
            offered = rules.check(op, rules.Situation.of(row, policy), who).ok
            try:
                _call(desk, op, c.id, actor)
                accepted = True
            except DomainError:
                accepted = False
            assert accepted == offered, (n, op, row.state, actor.name)
