"""Access passes through the services (《小区出入证管理规定》): issue rules, every lifecycle step, the deposit
ledger, the return duty, the daily forfeiture, the gate lookup, scope and the home page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from core import passes as rules
from core.errors import DomainError, PermissionDenied
from core.identity import with_check_character
from core.roles import Role
from db.engine import get_engine
from db.models import DepositAccount, DepositEntry, Duty, RecordEvent
from db.models.base import as_utc
from db.services import pass_flow, pass_gate, pass_registers, passes
from tests.db.pass_world import build
from tests.db.world import ID_NUMBER, build_world, table_snapshot


@pytest.fixture
def pw(db_url, org, make_actor, now):
    return build(build_world(db_url, org, make_actor, now), make_actor, now)


def _ledger(url: str, pass_id: int) -> DepositAccount | None:
    with Session(get_engine(url)) as s:
        return s.exec(select(DepositAccount).where(DepositAccount.record_type == "pass",
                                                   DepositAccount.record_id == pass_id)).first()


def _balanced(url: str) -> None:
    with Session(get_engine(url)) as s:
        for acc in s.exec(select(DepositAccount)).all():
            entries = s.exec(select(DepositEntry).where(DepositEntry.account_id == acc.id)).all()
            by = {k: sum(e.amount for e in entries if e.kind == k) for k in ("collect", "refund", "forfeit", "deduct")}
            assert (acc.collected, acc.refunded, acc.forfeited, acc.deducted) == tuple(by.values())
            assert acc.collected == acc.refunded + acc.forfeited + acc.deducted + acc.held and acc.held >= 0


def _duty(url: str, pass_id: int) -> Duty:
    with Session(get_engine(url)) as s:
        return s.exec(select(Duty).where(Duty.record_type == "pass", Duty.record_id == pass_id)
                      .order_by(Duty.id.desc())).first()


def test_issue_numbers_collects_the_deposit_and_opens_the_return_duty(pw):
    p = pw.issue()
    assert p.number.startswith("CR-2026-") and p.state == "issued" and p.deposit == 5000 and p.kind == "temporary"
    acc = _ledger(pw.w.url, p.id)
    assert (acc.collected, acc.held) == (5000, 5000)
    duty = _duty(pw.w.url, p.id)
    assert duty.duty == "pass.return" and duty.state == "open"
    # due: the end of the last day (Asia/Shanghai) plus the late-return window (1 week)
    expected = datetime.combine(p.valid_to + timedelta(days=8), time(0), tzinfo=ZoneInfo("Asia/Shanghai"))
    assert as_utc(duty.due_at) == expected
    with Session(get_engine(pw.w.url)) as s:
        events = s.exec(select(RecordEvent).where(RecordEvent.record_type == "pass")).all()
    assert [e.event for e in events] == ["issue"] and "第10条" in events[0].citation
    _balanced(pw.w.url)


@pytest.mark.parametrize("changes, message", [
    ({"valid_to": None}, "截止日不能早于起始日"),
    ({"id_number": "330102198501011001"}, "校验位"),
    ({"holder_name": " "}, "持证人姓名"),
    ({"room_ids": []}, "房屋"),
    ({"decoration_until": None}, "装修期截止日"),
    ({"days": 90}, "不能超过批准的装修期"),
    ({"receipt_no": ""}, "收据号"),
    ({"applicant_kind": "neighbour"}, "申请人身份"),
    ({"purpose": "visitor"}, "仅限当日"),
    ({"pass_type": "nope"}, "出入证类型"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(pw, changes, message):
    changes = dict(changes)  # the parameter's dict is shared by the SQLite and PostgreSQL runs: never change it
    if changes.get("valid_to", 1) is None:
        changes = {"valid_to": pw.now.date() - timedelta(days=1)}
    days = changes.pop("days", 30)
    before = table_snapshot(pw.w.url)
    with pytest.raises(DomainError, match=message):
        passes.issue(actor=pw.clerk[pw.a], data=pw.worker(days=days, **changes), request_id=None, now=pw.now)
    assert table_snapshot(pw.w.url) == before


def test_one_active_pass_per_person(pw):
    first = pw.issue()
    with pytest.raises(DomainError, match="第4条"):
        pw.issue(receipt_no="SJ9")
    pass_flow.return_pass(actor=pw.clerk[pw.a], pass_id=first.id, receipt_no=first.receipt_no, now=pw.now)
    assert pw.issue(receipt_no="SJ9").state == "issued"  # returned: a new one is allowed


def test_resident_card_needs_the_archive_the_original_and_the_household_limit(pw, make_actor):
    clerk = pw.clerk[pw.a]
    with pytest.raises(DomainError, match="原件已核验"):
        passes.issue(actor=clerk, data=pw.resident(original_verified=False), request_id=None, now=pw.now)
    stranger = with_check_character("33010219800101777")
    with pytest.raises(DomainError, match="不是该房屋档案中的业主或住户"):
        passes.issue(actor=clerk, data=pw.resident(id_number=stranger), request_id=None, now=pw.now)
    card = passes.issue(actor=clerk, data=pw.resident(), request_id=None, now=pw.now)
    assert card.kind == "resident" and card.deposit == 0 and card.purpose == "resident"
    assert _ledger(pw.w.url, card.id) is None


def test_request_id_makes_issue_idempotent(pw):
    a = passes.issue(actor=pw.clerk[pw.a], data=pw.worker(), request_id="r-1", now=pw.now)
    b = passes.issue(actor=pw.clerk[pw.a], data=pw.worker(), request_id="r-1", now=pw.now)
    assert a.id == b.id


def test_extend_only_by_owner_or_contractor_and_moves_the_duty(pw):
    p = pw.issue()
    clerk = pw.clerk[pw.a]
    new_to = p.valid_to + timedelta(days=10)
    with pytest.raises(DomainError, match="第7条"):
        pass_flow.extend(actor=clerk, pass_id=p.id, valid_to=new_to, requested_by_kind="department",
                         requested_by="保安部", receipt_no="X1", now=pw.now)
    with pytest.raises(DomainError, match="续期费"):
        pass_flow.extend(actor=clerk, pass_id=p.id, valid_to=new_to, requested_by_kind="owner",
                         requested_by="业主A", receipt_no="", now=pw.now)
    due_before = _duty(pw.w.url, p.id).due_at
    done = pass_flow.extend(actor=clerk, pass_id=p.id, valid_to=new_to, requested_by_kind="owner",
                            requested_by="业主A", receipt_no="X1", now=pw.now)
    assert done.valid_to == new_to and done.fee == 500
    assert _duty(pw.w.url, p.id).due_at - due_before == timedelta(days=10)
    with pytest.raises(DomainError, match="装修期"):
        pass_flow.extend(actor=clerk, pass_id=p.id, valid_to=p.valid_to + timedelta(days=45),
                         requested_by_kind="owner", requested_by="业主A", receipt_no="X2", now=pw.now)


def test_lost_forfeits_the_deposit_refuses_extension_and_reissues_with_a_new_number(pw):
    p = pw.issue()
    clerk = pw.clerk[pw.a]
    lost = pass_flow.report_lost(actor=clerk, pass_id=p.id, reason="工人遗失", now=pw.now)
    assert lost.state == "lost" and lost.deposit_state == "forfeited"
    assert (_ledger(pw.w.url, p.id).forfeited, _ledger(pw.w.url, p.id).held) == (5000, 0)
    assert _duty(pw.w.url, p.id).state == "cancelled"
    before = table_snapshot(pw.w.url)
    with pytest.raises(DomainError, match="已挂失，不能续期"):
        pass_flow.extend(actor=clerk, pass_id=p.id, valid_to=p.valid_to + timedelta(days=1),
                         requested_by_kind="owner", requested_by="业主A", receipt_no="X", now=pw.now)
    assert table_snapshot(pw.w.url) == before
    new = passes.reissue(actor=clerk, pass_id=p.id, receipt_no="SJ0100", request_id="re-1", now=pw.now)
    again = passes.reissue(actor=clerk, pass_id=p.id, receipt_no="SJ0100", request_id="re-1", now=pw.now)
    assert again.id == new.id and new.number != p.number and new.replaces_id == p.id and new.state == "issued"
    assert _ledger(pw.w.url, new.id).held == 5000
    with pytest.raises(DomainError, match="已补办"):
        passes.reissue(actor=clerk, pass_id=p.id, receipt_no="SJ0101", request_id=None, now=pw.now)
    _balanced(pw.w.url)


def test_return_refunds_against_the_receipt_once(pw):
    p = pw.issue()
    clerk = pw.clerk[pw.a]
    with pytest.raises(DomainError, match="收据号不符"):
        pass_flow.return_pass(actor=clerk, pass_id=p.id, receipt_no="WRONG", now=pw.now)
    done = pass_flow.return_pass(actor=clerk, pass_id=p.id, receipt_no=p.receipt_no, now=pw.now)
    assert done.state == "returned" and done.deposit_state == "refunded"
    assert _duty(pw.w.url, p.id).state == "met"
    before = table_snapshot(pw.w.url)
    with pytest.raises(DomainError, match="已退证，不能退证"):
        pass_flow.return_pass(actor=clerk, pass_id=p.id, receipt_no=p.receipt_no, now=pw.now)
    assert table_snapshot(pw.w.url) == before
    _balanced(pw.w.url)


def test_guard_confiscates_with_a_reason_and_cannot_manage(pw):
    p = pw.issue()
    guard = pw.guard[pw.a]
    with pytest.raises(DomainError, match="没收原因"):
        pass_flow.confiscate(actor=guard, pass_id=p.id, reason="", now=pw.now)
    with pytest.raises(PermissionDenied):
        pass_flow.report_lost(actor=guard, pass_id=p.id, reason="x", now=pw.now)
    with pytest.raises(PermissionDenied):
        pass_flow.confiscate(actor=pw.guard[pw.w.office_b], pass_id=p.id, reason="串房", now=pw.now)
    done = pass_flow.confiscate(actor=guard, pass_id=p.id, reason="串房", now=pw.now)
    assert done.state == "confiscated" and done.deposit_state == "forfeited"
    with pytest.raises(DomainError, match="已没收"):
        pass_flow.cancel(actor=pw.clerk[pw.a], pass_id=p.id, reason="x", now=pw.now)


def test_cancel_refunds(pw):
    p = pw.issue()
    done = pass_flow.cancel(actor=pw.clerk[pw.a], pass_id=p.id, reason="开错类型", now=pw.now)
    assert done.state == "cancelled" and _ledger(pw.w.url, p.id).refunded == 5000


def test_expired_shows_by_itself_and_late_passes_forfeit_by_the_daily_job(pw):
    p = pw.issue(days=2)
    day_after = pw.now + timedelta(days=3)
    hit = pass_gate.lookup(actor=pw.guard[pw.a], text=p.number, now=day_after)[0]
    assert hit.status is rules.Status.EXPIRED and "不得放行" in hit.advice
    assert pass_flow.forfeit_late(now=day_after) == 0  # within the late-return window
    late = pw.now + timedelta(days=11)
    assert pass_flow.forfeit_late(now=late) == 1
    assert pass_flow.forfeit_late(now=late) == 0  # idempotent
    acc = _ledger(pw.w.url, p.id)
    assert (acc.forfeited, acc.held) == (5000, 0)
    done = pass_flow.return_pass(actor=pw.clerk[pw.a], pass_id=p.id, receipt_no="", now=late)
    assert done.state == "returned" and _duty(pw.w.url, p.id).breached
    _balanced(pw.w.url)


def test_gate_lookup_by_number_name_and_id_tail_in_scope_only(pw):
    p = pw.issue(3)
    other = passes.issue(actor=pw.clerk[pw.w.office_b], data=pw.worker(4, office=pw.w.office_b), request_id=None,
                         now=pw.now)
    guard = pw.guard[pw.a]
    assert [h.id for h in pass_gate.lookup(actor=guard, text=p.number.lower() + " ", now=pw.now)] == [p.id]
    assert [h.id for h in pass_gate.lookup(actor=guard, text="工人", now=pw.now)] == [p.id]
    assert [h.id for h in pass_gate.lookup(actor=guard, text=p.id_number[-6:], now=pw.now)] == [p.id]
    assert pass_gate.lookup(actor=guard, text=other.number, now=pw.now) == []
    hit = pass_gate.lookup(actor=guard, text=p.number, now=pw.now)[0]
    assert hit.status is rules.Status.VALID and hit.rooms and hit.valid_to == p.valid_to
    with pytest.raises(DomainError, match="后 4 位"):
        pass_gate.lookup(actor=guard, text="12", now=pw.now)


def test_home_items_lists_and_register(pw, make_actor):
    p = pw.issue(days=3)
    pw.issue(1, days=30)
    items = {i.title: i.count for i in pass_registers.my_work(actor=pw.clerk[pw.a], now=pw.now)}
    assert items["出入证 7 天内到期"] == 1 and any("押金在押 ¥100.00" in t for t in items)
    assert pass_registers.my_work(actor=pw.clerk[pw.w.office_b], now=pw.now) == []
    late = pw.now + timedelta(days=12)
    items = {i.title: i.count for i in pass_registers.my_work(actor=pw.clerk[pw.a], now=late)}
    assert items["出入证逾期未退"] == 1
    page = pass_registers.search(actor=pw.clerk[pw.a], now=pw.now, queue="expiring")
    assert [r.id for r in page.rows] == [p.id]
    assert pass_registers.search(actor=pw.clerk[pw.w.office_b], now=pw.now).total == 0
    rows = pass_registers.roster_rows(actor=pw.clerk[pw.a], now=pw.now, office_id=pw.a)
    assert [r.number for r in rows][0] == p.number and "*" in rows[0].id_masked
    assert pass_registers.search(actor=pw.clerk[pw.a], now=late, status="expired").total == 1
    with pytest.raises(PermissionDenied):
        pass_registers.search(actor=pw.guard[pw.a], now=pw.now)


def test_guard_account_has_its_own_idle_timeout(pw):
    from core import sessions
    from db.services import auth, policy

    guard, clerk = pw.guard[pw.a], pw.clerk[pw.a]
    g, c = auth.session_user(guard.username), auth.session_user(clerk.username)
    assert g.guard_only and not c.guard_only
    seen = max(g.sessions_valid_after, c.sessions_valid_after) + timedelta(minutes=1)
    now = seen + timedelta(minutes=15)  # default: guard 10 minutes, everyone else 30
    assert auth.session_problem(g, issued_at=seen, last_seen=seen, now=now) == sessions.IDLE
    assert auth.session_problem(c, issued_at=seen, last_seen=seen, now=now) is None
    policy.set_value(actor=pw.w.admin, key="pass.guard_idle_minutes", value=20, effective_from=seen - timedelta(
        hours=1), reason="门岗换班", now=seen)
    assert auth.session_problem(g, issued_at=seen, last_seen=seen, now=now) is None
    assert ID_NUMBER and Role.GUARD


def test_pdfs_show_number_and_chinese_name(pw, pdftotext_required):
    import subprocess

    p = pw.issue()
    card = pass_registers.card_pdf(actor=pw.clerk[pw.a], pass_id=p.id, now=pw.now)
    text = subprocess.run([pdftotext_required, "-", "-"], input=card, capture_output=True, check=True).stdout.decode()
    assert p.number in text and "工人0" in text
    reg = pass_registers.roster_pdf(actor=pw.clerk[pw.a], now=pw.now, office_id=pw.a, since=None, until=None,
                                      period="2026-11")
    text = subprocess.run([pdftotext_required, "-", "-"], input=reg, capture_output=True, check=True).stdout.decode()
    assert "出入证发放登记表" in text and "工人0" in text


def test_gate_shows_the_holder_photo_also_after_reissue(pw):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 80), (90, 120, 200)).save(out, format="PNG")
    p = pw.issue(photo=[("照片.png", out.getvalue())])
    hit = pass_gate.lookup(actor=pw.guard[pw.a], text=p.number, now=pw.now)[0]
    assert hit.photo_id is not None
    pass_flow.report_lost(actor=pw.clerk[pw.a], pass_id=p.id, reason="遗失", now=pw.now)
    new = passes.reissue(actor=pw.clerk[pw.a], pass_id=p.id, receipt_no="SJ9", request_id=None, now=pw.now)
    assert pass_gate.lookup(actor=pw.guard[pw.a], text=new.number, now=pw.now)[0].photo_id == hit.photo_id


def test_a_deduction_names_its_violation_and_never_takes_more_than_is_held(pw):
    from core.deposits import EntryKind
    from db.services import deposits
    from db.session import write_session

    p = pw.issue()
    with pytest.raises(DomainError, match="违规记录"), write_session() as s:
        deposits.post(s, record_type="pass", record_id=p.id, office_id=p.office_id, kind=EntryKind.DEDUCT,
                      amount=3000, at=pw.now, actor=pw.clerk[pw.a])
    before = table_snapshot(pw.w.url)
    with pytest.raises(DomainError, match="超过押金余额"), write_session() as s:
        deposits.post(s, record_type="pass", record_id=p.id, office_id=p.office_id, kind=EntryKind.DEDUCT,
                      amount=6000, at=pw.now, actor=pw.clerk[pw.a], cause_type="violation", cause_id=7)
    assert table_snapshot(pw.w.url) == before
    with write_session() as s:
        after = deposits.post(s, record_type="pass", record_id=p.id, office_id=p.office_id, kind=EntryKind.DEDUCT,
                              amount=3000, at=pw.now, actor=pw.clerk[pw.a], cause_type="violation", cause_id=7,
                              reason="串房补偿")
    assert (after.deducted, after.held) == (3000, 2000)
    with Session(get_engine(pw.w.url)) as s:
        entry = s.exec(select(DepositEntry).where(DepositEntry.kind == "deduct")).one()
    assert (entry.cause_type, entry.cause_id) == ("violation", 7)
    done = pass_flow.return_pass(actor=pw.clerk[pw.a], pass_id=p.id, receipt_no=p.receipt_no, now=pw.now)
    assert _ledger(pw.w.url, p.id).refunded == 2000 and done.deposit_state == "refunded"
    _balanced(pw.w.url)


def test_rooms_are_added_by_the_owner_or_contractor_within_the_office(pw):
    from db.services import org

    p = pw.issue()
    clerk = pw.clerk[pw.a]
    room = org.save_property(actor=pw.w.admin, property_id=None, building_id=pw.w.building[pw.a], unit_no="1",
                             room="102", area_m2=80.0, kind="residential", key_household=False)
    with pytest.raises(DomainError, match="第7条"):
        pass_flow.include_rooms(actor=clerk, pass_id=p.id, room_ids=[room], requested_by_kind="department",
                            requested_by="保安部", now=pw.now)
    with pytest.raises(DomainError, match="不属于"):
        pass_flow.include_rooms(actor=clerk, pass_id=p.id, room_ids=[pw.w.prop[pw.w.office_b]],
                            requested_by_kind="owner", requested_by="业主A", now=pw.now)
    done = pass_flow.include_rooms(actor=clerk, pass_id=p.id, room_ids=[room, pw.w.prop[pw.a]], requested_by_kind="owner",
                               requested_by="业主A", now=pw.now)
    assert done.rooms_label.count("、") == 1 and "102" in done.rooms_label
    hit = pass_gate.lookup(actor=pw.guard[pw.a], text=p.number, now=pw.now)[0]
    assert "102" in hit.rooms
