"""Master data checks identity documents and phones through core.identity (issue 10 §1)."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import DomainError
from core.identity import with_check_character
from core.roles import Role
from db.models import Customer, Staff
from db.services import people
from db.session import read_session


def test_customers_carry_an_id_type_and_valid_numbers(db_url, org, make_actor):
    admin = make_actor(Role.SYSADMIN)
    resident = with_check_character("33010619800101123")
    cid = people.save_customer(actor=admin, customer_id=None, office_id=org.office_a, name="王业主", kind="owner",
                               id_number=resident.lower(), phone="138 1234 5678")
    hk = people.save_customer(actor=admin, customer_id=None, office_id=org.office_a, name="陈先生", kind="tenant",
                              id_type="hk_macau_permit", id_number="h12345678", phone="(0571) 8888 8888")
    with read_session() as s:
        a, b = s.get(Customer, cid), s.get(Customer, hk)
        assert (a.id_type, a.id_number, a.phone) == ("resident_id", resident, "13812345678")
        assert (b.id_type, b.id_number, b.phone) == ("hk_macau_permit", "H12345678", "0571-88888888")
    page = people.list_customers(actor=admin, office_id=org.office_a, search="0571-8888")
    assert [r.name for r in page.rows] == ["陈先生"] and page.rows[0].id_type == "hk_macau_permit"
    assert [r.name for r in people.list_customers(actor=admin, office_id=org.office_a, search="王").rows] == ["王业主"]


@pytest.mark.parametrize(
    ("id_type", "id_number", "phone", "message"),
    [("resident_id", "330106198001011230", "", "校验位不符"), ("resident_id", "33010619800101123", "", "18 位"),
     ("passport", "ABCDEFG", "", "护照号码格式不正确"), ("resident_id", "", "7654321", "区号-号码"),
     ("resident_id", "", "12812345678", "手机号"), ("driving", "", "", "请选择证件类型")],
)
def test_bad_numbers_are_refused_and_nothing_is_written(db_url, org, make_actor, id_type, id_number, phone, message):
    admin = make_actor(Role.SYSADMIN)
    with pytest.raises(DomainError, match=message):
        people.save_customer(actor=admin, customer_id=None, office_id=org.office_a, name="错号", kind="owner",
                             id_type=id_type, id_number=id_number, phone=phone)
    assert people.list_customers(actor=admin, office_id=org.office_a, search="错号").total == 0


def test_an_edit_keeps_the_stored_number_but_not_under_another_type(db_url, org, make_actor):
    admin = make_actor(Role.SYSADMIN)
    resident = with_check_character("33010619800101123")
    cid = people.save_customer(actor=admin, customer_id=None, office_id=org.office_a, name="王业主", kind="owner",
                               id_number=resident, phone="")
    people.save_customer(actor=admin, customer_id=cid, office_id=org.office_a, name="王业主", kind="owner",
                         id_number="", phone="")
    with read_session() as s:
        assert s.get(Customer, cid).id_number == resident
    with pytest.raises(DomainError, match="更改证件类型"):
        people.save_customer(actor=admin, customer_id=cid, office_id=org.office_a, name="王业主", kind="owner",
                             id_type="passport", id_number="", phone="")


def test_staff_phones_are_checked(db_url, org, make_actor):
    admin = make_actor(Role.SYSADMIN)
    sid = people.save_staff(actor=admin, staff_id=None, office_id=org.office_a, name="李", post="clerk",
                            department_id=None, phone="0571 8888 8888-12", hire_date=date(2024, 1, 1),
                            independent_on_post=True)
    with read_session() as s:
        assert s.get(Staff, sid).phone == "0571-88888888-12"
    with pytest.raises(DomainError, match="电话"):
        people.save_staff(actor=admin, staff_id=None, office_id=org.office_a, name="李", post="clerk",
                          department_id=None, phone="110", hire_date=None, independent_on_post=True)
