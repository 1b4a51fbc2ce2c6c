"""The deposit ledger through the services: a seeded random sequence of pass operations (issue, extend, lost,
reissue, return, confiscate, cancel, the daily forfeiture, refused ones included) — after every operation every
account balances (collected = refunded + forfeited + deducted + held, its totals equal its entries, nothing negative)
and a pass's deposit state agrees with its account."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core.errors import DomainError
from db.engine import get_engine
from db.models import AccessPass, DepositAccount, DepositEntry
from db.services import pass_flow, passes
from tests.db.pass_world import WORKER_IDS, build
from tests.db.world import build_world


@pytest.fixture
def pw(db_url, org, make_actor, now):
    return build(build_world(db_url, org, make_actor, now), make_actor, now)


def _check(url: str) -> None:
    with Session(get_engine(url)) as s:
        for acc in s.exec(select(DepositAccount)).all():
            sums = {k: 0 for k in ("collect", "refund", "forfeit", "deduct")}
            for e in s.exec(select(DepositEntry).where(DepositEntry.account_id == acc.id)).all():
                sums[e.kind] += e.amount
            assert (acc.collected, acc.refunded, acc.forfeited, acc.deducted) == tuple(sums.values())
            assert acc.collected == acc.refunded + acc.forfeited + acc.deducted + acc.held and acc.held >= 0
            p = s.get(AccessPass, acc.record_id)
            assert p.deposit_state == ("held" if acc.held else "refunded" if acc.refunded else "forfeited")


def test_the_ledger_balances_after_every_operation(pw):
    rng = random.Random(13)
    clerk, guard = pw.clerk[pw.a], pw.guard[pw.a]
    moment = pw.now
    issued: list[int] = []
    for _ in range(60):
        moment += timedelta(hours=rng.randrange(1, 60))
        op = rng.choice(["issue", "issue", "extend", "lost", "reissue", "return", "confiscate", "cancel", "sweep"])
        pid = rng.choice(issued) if issued else None
        try:
            if op == "issue" or pid is None:
                n = rng.randrange(len(WORKER_IDS))
                data = pw.worker(n, receipt_no=f"R{n}", valid_from=moment.date(),
                                 valid_to=moment.date() + timedelta(days=rng.randrange(1, 20)),
                                 decoration_until=moment.date() + timedelta(days=60))
                issued.append(passes.issue(actor=clerk, data=data, request_id=None, now=moment).id)
            elif op == "extend":
                pass_flow.extend(actor=clerk, pass_id=pid, valid_to=moment.date() + timedelta(days=rng.randrange(1, 30)),
                                 requested_by_kind="owner", requested_by="业主", receipt_no="X", now=moment)
            elif op == "lost":
                pass_flow.report_lost(actor=clerk, pass_id=pid, reason="遗失", now=moment)
            elif op == "reissue":
                issued.append(passes.reissue(actor=clerk, pass_id=pid, receipt_no="RE", request_id=None, now=moment).id)
            elif op == "return":
                with Session(get_engine(pw.w.url)) as s:
                    receipt = s.get(AccessPass, pid).receipt_no
                pass_flow.return_pass(actor=clerk, pass_id=pid, receipt_no=rng.choice([receipt, receipt, "WRONG"]),
                                      now=moment)
            elif op == "confiscate":
                pass_flow.confiscate(actor=guard, pass_id=pid, reason="串房", now=moment)
            elif op == "cancel":
                pass_flow.cancel(actor=clerk, pass_id=pid, reason="开错", now=moment)
            else:
                pass_flow.forfeit_late(now=moment)
        except DomainError:
            pass  # refused: nothing written, and the ledger still balances
        _check(pw.w.url)
    with Session(get_engine(pw.w.url)) as s:
        kinds = {e.kind for e in s.exec(select(DepositEntry)).all()}
    assert {"collect", "refund", "forfeit"} <= kinds  # the sequence exercised every kind a pass posts
