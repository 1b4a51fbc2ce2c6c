"""Every parameter of the pass group decides something: changed in the policy book, the service decides differently
(issue 13: "for each a service test changes its value and gets a different decision")."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from core.errors import DomainError
from core.identity import with_check_character
from core.policy import PARAMS
from db.services import pass_flow, pass_registers, passes, people, policy
from tests.db.pass_world import build
from tests.db.world import build_world


@pytest.fixture
def pw(db_url, org, make_actor, now):
    return build(build_world(db_url, org, make_actor, now), make_actor, now)


def _set(pw, key, value):
    policy.set_value(actor=pw.w.admin, key=key, value=value, effective_from=pw.now - timedelta(days=1),
                     reason="测试", now=pw.now - timedelta(hours=1))


def test_worker_deposit_and_fee(pw):
    assert (pw.issue(0).deposit, pw.issue(1).fee) == (5000, 0)
    _set(pw, "pass.worker_deposit", "80")
    _set(pw, "pass.worker_fee", "5")
    p = pw.issue(2)
    assert (p.deposit, p.fee) == (8000, 500)


def test_extension_fee(pw):
    p = pw.issue(0)
    extended = pass_flow.extend(actor=pw.clerk[pw.a], pass_id=p.id, valid_to=p.valid_to + timedelta(days=1),
                                requested_by_kind="owner", requested_by="业主A", receipt_no="X", now=pw.now)
    assert extended.fee == 500
    _set(pw, "pass.extension_fee", "0")
    q = pw.issue(1)
    free = pass_flow.extend(actor=pw.clerk[pw.a], pass_id=q.id, valid_to=q.valid_to + timedelta(days=1),
                            requested_by_kind="owner", requested_by="业主A", receipt_no="", now=pw.now)
    assert free.fee == 0


def test_resident_cards_per_household(pw):
    clerk = pw.clerk[pw.a]
    ids = [with_check_character(f"33010219700101{n:03d}") for n in range(300, 304)]
    for n, number in enumerate(ids):
        cid = people.save_customer(actor=pw.w.admin, customer_id=None, office_id=pw.a, name=f"家属{n}", kind="family",
                                   id_number=number, phone="")
        people.link_property(actor=pw.w.admin, customer_id=cid, property_id=pw.w.prop[pw.a], relation="family",
                             since=None)
    for number in ids[:3]:
        passes.issue(actor=clerk, data=pw.resident(id_number=number), request_id=None, now=pw.now)
    with pytest.raises(DomainError, match="每户最多 3 张"):
        passes.issue(actor=clerk, data=pw.resident(id_number=ids[3]), request_id=None, now=pw.now)
    _set(pw, "pass.resident_cards_per_household", 4)
    assert passes.issue(actor=clerk, data=pw.resident(id_number=ids[3]), request_id=None, now=pw.now).kind == "resident"


def test_late_return_window(pw):
    p = pw.issue(0, days=1)
    later = pw.now + timedelta(days=5)
    assert pass_flow.forfeit_late(now=later) == 0
    _set(pw, "pass.late_return_window", {"amount": 1, "unit": "days"})
    q = pw.issue(1, days=1)
    assert pass_flow.forfeit_late(now=later) == 1
    held = {r.id: r.deposit_state for r in pass_registers.search(actor=pw.clerk[pw.a], now=later).rows}
    assert held == {p.id: "held", q.id: "forfeited"}  # each judged by the version it was issued under


def test_casual_worker_max_months(pw):
    start = pw.now.date()
    data = dict(purpose="casual", valid_to=start.replace(year=start.year + 1) + timedelta(days=31),
                decoration_until=None, applicant_kind="owner")
    with pytest.raises(DomainError, match="最长 12 个月"):
        pw.issue(0, **data)
    _set(pw, "pass.casual_worker_max_months", 14)
    assert pw.issue(0, **data).purpose == "casual"


def test_temporary_max_days(pw):
    data = dict(purpose="engineering", decoration_until=None)
    with pytest.raises(DomainError, match="最长 90 天"):
        pw.issue(0, days=100, **data)
    _set(pw, "pass.temporary_max_days", 120)
    assert pw.issue(0, days=100, **data).purpose == "engineering"


def test_expiring_days(pw):
    pw.issue(0, days=10)
    assert pass_registers.search(actor=pw.clerk[pw.a], now=pw.now, queue="expiring").total == 0
    _set(pw, "pass.expiring_days", 14)
    assert pass_registers.search(actor=pw.clerk[pw.a], now=pw.now, queue="expiring").total == 1


def test_types_table(pw):
    rows = [dict(r) for r in PARAMS["pass.types"].default] + [
        {"code": "labour", "label": "劳务出入证", "kind": "temporary", "active": True}]
    with pytest.raises(DomainError, match="出入证类型"):
        pw.issue(0, pass_type="labour")
    _set(pw, "pass.types", rows)
    assert pw.issue(0, pass_type="labour").kind == "temporary"


def test_purposes_table(pw):
    rows = [dict(r) for r in PARAMS["pass.purposes"].default]
    with pytest.raises(DomainError, match="仅限当日"):
        pw.issue(0, purpose="visitor", decoration_until=None, days=2)
    next(r for r in rows if r["code"] == "visitor")["limit"] = "temporary_max"
    _set(pw, "pass.purposes", rows)
    assert pw.issue(0, purpose="visitor", decoration_until=None, days=2).purpose == "visitor"


def _png(size: int) -> bytes:
    import random

    rng = random.Random(1)
    img = Image.frombytes("RGB", (size, size), bytes(rng.randrange(256) for _ in range(size * size * 3)))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_photo_max_kb(pw):
    photo = [("照片.png", _png(300))]  # noise: about 270 KB even after re-encoding
    _set(pw, "pass.photo_max_kb", 100)
    with pytest.raises(DomainError, match="照片.png"):
        pw.issue(0, photo=photo)
    _set(pw, "pass.photo_max_kb", 2048)
    assert pw.issue(0, photo=photo).id
