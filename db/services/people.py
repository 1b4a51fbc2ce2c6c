"""Master data of people: staff (员工, with 可独立上岗) and customers (业主/住户) linked to 房屋.

ID numbers are masked in every list; showing a full value is a logged event (PIPL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from core.errors import DomainError
from core.fields import clean_text
from core.identity import DEFAULT_ID_TYPE, ID_TYPES, PHONE_CHARS, check_id, check_phone
from core.labels import CUSTOMER_KIND
from core.masking import mask_id_number, mask_phone
from core.permissions import Action, Actor
from db.models import Customer, CustomerProperty, Department, OrgUnit, Property, Staff
from db.services.base import (
    Page,
    already_done,
    audit,
    authorize,
    load_scoped,
    paginate,
    remember,
    scope_filter,
)
from db.services.org import replayed, save_row
from db.session import read_session, write_session


def _office(s, office_id: int) -> OrgUnit:
    unit = s.get(OrgUnit, office_id)
    if unit is None:
        raise DomainError("请选择所属单位", field="单位")
    return unit


def list_staff(*, actor: Actor, office_id: int | None = None, search: str = "", active_only: bool = False,
               page: int = 1, page_size: int = 50) -> Page:
    authorize(actor, Action.PEOPLE_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Staff), Staff.office_id, actor.scope(Action.PEOPLE_VIEW))
        if office_id:
            stmt = stmt.where(Staff.office_id == office_id)
        if active_only:
            stmt = stmt.where(Staff.active == True)  # noqa: E712
        if search.strip():
            stmt = stmt.where(Staff.name.like(f"%{search.strip()}%"))
        return paginate(s, stmt, page=page, page_size=page_size, order_by=[Staff.office_id, Staff.name, Staff.id])


def staff_choices(*, actor: Actor, office_id: int | None = None) -> list[tuple[int, str]]:
    authorize(actor, Action.ORG_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Staff.id, Staff.name).where(Staff.active == True), Staff.office_id,  # noqa: E712
                            actor.scope(Action.ORG_VIEW))
        if office_id:
            stmt = stmt.where(Staff.office_id == office_id)
        return [(pk, name) for pk, name in s.exec(stmt.order_by(Staff.name).limit(2000)).all()]


def save_staff(*, actor: Actor, staff_id: int | None, office_id: int, name: str, post: str,
               department_id: int | None, phone: str, hire_date: date | None, independent_on_post: bool,
               active: bool = True, request_id: str | None = None) -> int:
    authorize(actor, Action.PEOPLE_MANAGE, office_id)
    with write_session() as s:
        if done := replayed(s, request_id, "staff", staff_id):
            return done
        # Scope first (every row named, in its current office), then the input.
        staff = load_scoped(s, Staff, staff_id, actor=actor, action=Action.PEOPLE_MANAGE, entity="staff") if staff_id else None
        department = (load_scoped(s, Department, department_id, actor=actor, action=Action.PEOPLE_MANAGE,
                                  entity="department", lock=False, missing="部门不存在")
                      if department_id is not None else None)
        name = clean_text(name, "姓名")
        post = clean_text(post, "岗位", max_len=32)
        phone = check_phone(clean_text(phone, "电话", required=False, max_len=32))
        _office(s, office_id)
        if department is not None and department.org_unit_id != office_id:
            raise DomainError("部门须属于员工所在单位", field="部门")
        values = dict(office_id=office_id, name=name, post=post, department_id=department_id, phone=phone,
                      hire_date=hire_date, independent_on_post=independent_on_post, active=active)
        row = save_row(s, actor=actor, action=Action.PEOPLE_MANAGE, model=Staff, row_id=staff_id, existing=staff,
                       values=values, request_id=request_id,
                       entity="staff", office_id=office_id, summary=f"员工 {name}")
        return int(row.id)


@dataclass(frozen=True)
class CustomerRow:
    id: int
    office_id: int
    name: str
    kind: str
    id_type: str  # core.identity.ID_TYPES
    id_number: str  # masked unless the viewer may see it in full
    phone: str
    properties: str
    active: bool


def list_customers(*, actor: Actor, office_id: int | None = None, search: str = "", page: int = 1,
                   page_size: int = 50) -> Page:
    authorize(actor, Action.PEOPLE_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Customer), Customer.office_id, actor.scope(Action.PEOPLE_VIEW))
        if office_id:
            stmt = stmt.where(Customer.office_id == office_id)
        text = search.strip()
        if text:
            # A phone holds only PHONE_CHARS (core.identity normalises it), a name none of them: test the one column the text can be
            # in. Across 300,000 customers "name OR phone" read every row in name order (0.6–0.8 s); one column
            # is filtered inside its index (scripts/bench.py --scale large).
            column = Customer.phone if set(text) <= PHONE_CHARS else Customer.name
            stmt = stmt.where(column.like(f"%{text}%"))
        result = paginate(s, stmt, page=page, page_size=page_size, order_by=[Customer.name, Customer.id])
        ids = [c.id for c in result.rows]
        links = s.exec(select(CustomerProperty.customer_id, Property.label)
                       .join(Property, Property.id == CustomerProperty.property_id)
                       .where(CustomerProperty.customer_id.in_(ids))).all() if ids else []
    labels: dict[int, list[str]] = {}
    for cid, label in links:
        labels.setdefault(cid, []).append(label)
    rows = [CustomerRow(c.id, c.office_id, c.name, c.kind, c.id_type, mask_id_number(c.id_number), mask_phone(c.phone),
                        "；".join(labels.get(c.id, [])), c.active) for c in result.rows]
    return Page(rows=rows, total=result.total, page=result.page, page_size=result.page_size)


def reveal_id_number(*, actor: Actor, customer_id: int) -> str:
    """The full ID number, for roles that need it in the customer's current office; every view is logged."""
    authorize(actor, Action.ID_NUMBER_VIEW_FULL)
    with write_session() as s:
        customer = load_scoped(s, Customer, customer_id, actor=actor, action=Action.ID_NUMBER_VIEW_FULL,
                               entity="customer", lock=False, )
        audit(s, actor=actor, action="pii.view_id_number", entity="customer", entity_id=customer_id,
              office_id=customer.office_id, summary=f"查看 {customer.name} 的完整证件号")
        return customer.id_number


def save_customer(*, actor: Actor, customer_id: int | None, office_id: int, name: str, kind: str, id_number: str,
                  phone: str | None, id_type: str = DEFAULT_ID_TYPE, active: bool = True,
                  keep_phone: bool = False, request_id: str | None = None) -> int:
    """Create or update a customer. Lists show masked values, so an edit with an empty ID number (or
    ``keep_phone``) keeps the stored value instead of erasing it. ID numbers and phones are checked by
    ``core.identity`` (居民身份证 check digit and birth date, each other ID type's format, mobile/landline)."""
    authorize(actor, Action.PEOPLE_MANAGE, office_id)
    with write_session() as s:
        if done := replayed(s, request_id, "customer", customer_id):
            return done
        existing = (load_scoped(s, Customer, customer_id, actor=actor, action=Action.PEOPLE_MANAGE, entity="customer",
                                ) if customer_id else None)
        name = clean_text(name, "姓名")
        if kind not in CUSTOMER_KIND:
            raise DomainError("客户类型无效")
        if id_type not in ID_TYPES:
            raise DomainError("请选择证件类型", field="证件类型")
        id_number = check_id(id_type, clean_text(id_number, "证件号", required=False, max_len=32))
        phone = check_phone(clean_text(phone, "电话", required=False, max_len=32))
        _office(s, office_id)
        if existing is not None and existing.office_id != office_id and s.exec(
                select(CustomerProperty.property_id).where(CustomerProperty.customer_id == customer_id).limit(1)
        ).first() is not None:
            raise DomainError("该客户已关联原管理处的房屋，不能改属其他管理处", field="单位")
        if existing and not id_number:
            if existing.id_number and id_type != existing.id_type:
                raise DomainError("更改证件类型时请同时填写新的证件号", field="证件号")
            id_number = existing.id_number
        if existing and keep_phone:
            phone = existing.phone
        values = dict(office_id=office_id, name=name, kind=kind, id_type=id_type, id_number=id_number, phone=phone,
                      active=active)
        row = save_row(s, actor=actor, action=Action.PEOPLE_MANAGE, model=Customer, row_id=customer_id,
                       existing=existing, values=values, entity="customer", office_id=office_id,
                       summary=f"客户 {name}", request_id=request_id)
        return int(row.id)


def link_property(*, actor: Actor, customer_id: int, property_id: int, relation: str, since: date | None,
                  request_id: str | None = None) -> None:
    authorize(actor, Action.PEOPLE_MANAGE)
    with write_session() as s:
        if already_done(s, request_id, "customer_property"):
            return
        customer = load_scoped(s, Customer, customer_id, actor=actor, action=Action.PEOPLE_MANAGE, entity="customer",
                               missing="客户或房屋不存在或不在您的管理范围内")
        prop = load_scoped(s, Property, property_id, actor=actor, action=Action.PEOPLE_MANAGE, entity="property",
                           lock=False, missing="客户或房屋不存在或不在您的管理范围内")
        if relation not in CUSTOMER_KIND:
            raise DomainError("关系类型无效")
        if prop.office_id != customer.office_id:
            raise DomainError("客户与房屋须属于同一管理处")
        if s.exec(select(CustomerProperty).where(CustomerProperty.customer_id == customer_id,
                                                 CustomerProperty.property_id == property_id)).first():
            raise DomainError("该客户已关联此房屋")
        s.add(CustomerProperty(customer_id=customer_id, property_id=property_id, relation=relation, since=since))
        audit(s, actor=actor, action="customer.link_property", entity="customer", entity_id=customer_id,
              office_id=customer.office_id, summary=f"{customer.name} ↔ {prop.label}")
        remember(s, request_id, "customer_property", f"{customer_id}:{property_id}")
