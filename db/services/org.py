"""Master data of the organisation: units (公司/客服中心/管理处), 苑区, 楼栋, 房屋 and departments.

Administrators maintain these before go-live; every business row points to an office from here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, select

from core.errors import DomainError, NotFound
from core.labels import DEPARTMENT_KIND, ORG_KIND, PROPERTY_KIND
from core.permissions import Action, Actor
from db.models import Building, Department, OrgUnit, Property, Staff, Zone
from db.services.base import Page, audit, authorize, paginate, scope_filter
from db.session import read_session, write_session


def _text(value: Any, label: str, *, required: bool = True, max_len: int = 64) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise DomainError(f"请填写{label}", field=label)
    if len(value) > max_len:
        raise DomainError(f"{label}最多 {max_len} 个字", field=label)
    return value


def save_row(s: Session, *, actor: Actor, model: type[SQLModel], row_id: int | None, values: dict,
             entity: str, office_id: int | None, summary: str) -> SQLModel:
    """Create or update one master-data row with its audit row (before/after) in the same transaction."""
    if row_id:
        row = s.get(model, row_id)
        if row is None:
            raise NotFound("记录不存在或已被删除")
        before = row.model_dump()
        for key, value in values.items():
            setattr(row, key, value)
    else:
        row, before = model(**values), None
    s.add(row)
    s.flush()
    audit(s, actor=actor, action=f"{entity}.{'update' if row_id else 'create'}", entity=entity, entity_id=row.id,
          office_id=office_id, summary=summary, before=before, after=row.model_dump())
    return row


# ----- units ---------------------------------------------------------------------------------------

def list_units(*, actor: Actor, kinds: tuple[str, ...] = ("company", "hq", "office"), active_only=False) -> list[OrgUnit]:
    authorize(actor, Action.ORG_VIEW)
    with read_session() as s:
        stmt = select(OrgUnit).where(OrgUnit.kind.in_(kinds)).order_by(OrgUnit.kind, OrgUnit.code)
        if active_only:
            stmt = stmt.where(OrgUnit.active == True)  # noqa: E712
        return list(s.exec(stmt).all())


def offices_for(*, actor: Actor, action: Action) -> list[tuple[int, str]]:
    """The 管理处 where ``actor`` may do ``action``: the office picker of every page."""
    scope = actor.scope(action)
    with read_session() as s:
        # Two columns, not table objects: this runs on nearly every page (office pickers, names in lists).
        stmt = scope_filter(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "office", OrgUnit.active == True),  # noqa: E712
                            OrgUnit.id, scope)
        return [(pk, name) for pk, name in s.exec(stmt.order_by(OrgUnit.code)).all()]


def save_unit(*, actor: Actor, unit_id: int | None, code: str, name: str, kind: str, parent_id: int | None,
              address: str = "", phone: str = "", complaint_contact_staff_id: int | None = None, active: bool = True) -> int:
    authorize(actor, Action.ORG_MANAGE)
    code = _text(code, "编码", max_len=32)
    name = _text(name, "名称")
    if kind not in ORG_KIND:
        raise DomainError("单位类型无效")
    with write_session() as s:
        clash = s.exec(select(OrgUnit).where(OrgUnit.code == code)).first()
        if clash and clash.id != unit_id:
            raise DomainError(f"编码 {code} 已被“{clash.name}”使用", field="编码")
        if kind != "company" and parent_id is None:
            raise DomainError("请选择上级单位", field="上级单位")
        if parent_id is not None and (parent_id == unit_id or s.get(OrgUnit, parent_id) is None):
            raise DomainError("上级单位无效", field="上级单位")
        if complaint_contact_staff_id is not None:
            staff = s.get(Staff, complaint_contact_staff_id)
            if staff is None or (unit_id and staff.office_id != unit_id):
                raise DomainError("投诉接口人须为本单位员工", field="投诉接口人")
        values = dict(code=code, name=name, kind=kind, parent_id=parent_id, address=_text(address, "地址", required=False, max_len=200),
                      phone=_text(phone, "电话", required=False, max_len=32),
                      complaint_contact_staff_id=complaint_contact_staff_id, active=active)
        row = save_row(s, actor=actor, model=OrgUnit, row_id=unit_id, values=values, entity="org_unit",
                       office_id=unit_id, summary=f"{ORG_KIND[kind]} {name}")
        return int(row.id)


# ----- zones and buildings -------------------------------------------------------------------------

def list_zones(*, actor: Actor, office_id: int | None = None) -> list[Zone]:
    authorize(actor, Action.ORG_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Zone), Zone.office_id, actor.scope(Action.ORG_VIEW))
        if office_id:
            stmt = stmt.where(Zone.office_id == office_id)
        return list(s.exec(stmt.order_by(Zone.office_id, Zone.name)).all())


def save_zone(*, actor: Actor, zone_id: int | None, office_id: int, name: str, active: bool = True) -> int:
    authorize(actor, Action.ORG_MANAGE, office_id)
    name = _text(name, "苑区名称")
    with write_session() as s:
        office = s.get(OrgUnit, office_id)
        if office is None or office.kind != "office":
            raise DomainError("苑区必须属于一个管理处", field="管理处")
        row = save_row(s, actor=actor, model=Zone, row_id=zone_id, values=dict(office_id=office_id, name=name, active=active),
                       entity="zone", office_id=office_id, summary=f"苑区 {name}")
        return int(row.id)


def list_buildings(*, actor: Actor, zone_id: int) -> list[Building]:
    authorize(actor, Action.ORG_VIEW)
    with read_session() as s:
        stmt = scope_filter(select(Building).where(Building.zone_id == zone_id), Building.office_id, actor.scope(Action.ORG_VIEW))
        return list(s.exec(stmt.order_by(Building.name)).all())


def save_building(*, actor: Actor, building_id: int | None, zone_id: int, name: str, active: bool = True) -> int:
    name = _text(name, "楼栋名称", max_len=32)
    with read_session() as s:
        zone = s.get(Zone, zone_id)
    if zone is None:
        raise DomainError("请选择苑区", field="苑区")
    authorize(actor, Action.ORG_MANAGE, zone.office_id)
    with write_session() as s:
        row = save_row(s, actor=actor, model=Building, row_id=building_id,
                       values=dict(zone_id=zone_id, office_id=zone.office_id, name=name, active=active),
                       entity="building", office_id=zone.office_id, summary=f"楼栋 {name}")
        return int(row.id)


# ----- properties ----------------------------------------------------------------------------------

def property_label(zone: str, building: str, unit_no: str, room: str) -> str:
    return " ".join(part for part in (zone, building, f"{unit_no}单元" if unit_no else "", room) if part)


def list_properties(*, actor: Actor, office_id: int | None = None, zone_id: int | None = None,
                    building_id: int | None = None, search: str = "", page: int = 1, page_size: int = 50) -> Page:
    authorize(actor, Action.ORG_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Property), Property.office_id, actor.scope(Action.ORG_VIEW))
        if office_id:
            stmt = stmt.where(Property.office_id == office_id)
        if zone_id:
            stmt = stmt.where(Property.zone_id == zone_id)
        if building_id:
            stmt = stmt.where(Property.building_id == building_id)
        if search.strip():
            stmt = stmt.where(Property.label.like(f"%{search.strip()}%"))
        return paginate(s, stmt, page=page, page_size=page_size, order_by=[Property.label, Property.id])


def find_properties(*, actor: Actor, text: str, office_id: int | None = None, limit: int = 20) -> list[tuple[int, str]]:
    """Typeahead for every form that asks for a 房屋."""
    authorize(actor, Action.ORG_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Property.id, Property.label), Property.office_id, actor.scope(Action.ORG_VIEW))
        if office_id:
            stmt = stmt.where(Property.office_id == office_id)
        if text.strip():
            stmt = stmt.where(or_(*[Property.label.like(f"%{t}%") for t in text.split()]))
        return [(r[0], r[1]) for r in s.exec(stmt.order_by(Property.label).limit(limit)).all()]


def save_property(*, actor: Actor, property_id: int | None, building_id: int, unit_no: str, room: str,
                  area_m2: float | None, kind: str, key_household: bool, active: bool = True) -> int:
    room = _text(room, "房号", max_len=16)
    unit_no = _text(unit_no, "单元", required=False, max_len=16)
    if kind not in PROPERTY_KIND:
        raise DomainError("房屋类型无效")
    if area_m2 is not None and not (0 < float(area_m2) < 100000):
        raise DomainError("面积应大于 0 且小于 100000 平方米", field="面积")
    with read_session() as s:
        building = s.get(Building, building_id)
        zone = s.get(Zone, building.zone_id) if building else None
    if building is None:
        raise DomainError("请选择楼栋", field="楼栋")
    authorize(actor, Action.ORG_MANAGE, building.office_id)
    with write_session() as s:
        clash = s.exec(select(Property).where(Property.building_id == building_id, Property.unit_no == unit_no,
                                              Property.room == room)).first()
        if clash and clash.id != property_id:
            raise DomainError("该楼栋已有相同单元和房号的房屋", field="房号")
        values = dict(building_id=building_id, zone_id=building.zone_id, office_id=building.office_id, unit_no=unit_no,
                      room=room, area_m2=area_m2, kind=kind, key_household=key_household, active=active,
                      label=property_label(zone.name, building.name, unit_no, room))
        row = save_row(s, actor=actor, model=Property, row_id=property_id, values=values, entity="property",
                       office_id=building.office_id, summary=values["label"])
        return int(row.id)


# ----- departments ---------------------------------------------------------------------------------

def list_departments(*, actor: Actor, org_unit_id: int | None = None) -> list:
    """The departments of the units in the actor's scope: a 管理处 user sees the own 管理处's departments, the
    company-wide roles all (~250 at company scale).

    Rows with the department's columns as attributes (``d.name``): building that many table objects took
    25 ms of the 组织与房屋 page (scripts/bench.py --scale large)."""
    authorize(actor, Action.ORG_VIEW, org_unit_id)
    with read_session() as s:
        stmt = scope_filter(select(Department.id, Department.org_unit_id, Department.name, Department.kind,
                                   Department.head_staff_id, Department.active),
                            Department.org_unit_id, actor.scope(Action.ORG_VIEW))
        if org_unit_id:
            stmt = stmt.where(Department.org_unit_id == org_unit_id)
        return list(s.exec(stmt.order_by(Department.org_unit_id, Department.name)).all())


def save_department(*, actor: Actor, department_id: int | None, org_unit_id: int, name: str, kind: str,
                    head_staff_id: int | None, active: bool = True) -> int:
    authorize(actor, Action.ORG_MANAGE, org_unit_id)
    name = _text(name, "部门名称")
    if kind not in DEPARTMENT_KIND:
        raise DomainError("部门类型无效")
    with write_session() as s:
        if s.get(OrgUnit, org_unit_id) is None:
            raise DomainError("所属单位不存在")
        if head_staff_id is not None and s.get(Staff, head_staff_id) is None:
            raise DomainError("负责人不存在", field="负责人")
        row = save_row(s, actor=actor, model=Department, row_id=department_id,
                       values=dict(org_unit_id=org_unit_id, name=name, kind=kind, head_staff_id=head_staff_id, active=active),
                       entity="department", office_id=org_unit_id, summary=f"部门 {name}")
        return int(row.id)
