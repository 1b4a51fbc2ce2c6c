"""Master data of the organisation: units (公司/客服中心/管理处), 苑区, 楼栋, 房屋 and departments.

Administrators maintain these before go-live; every business row points to an office from here.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, select

from core.errors import DomainError
from core.fields import clean_text
from core.labels import DEPARTMENT_KIND, ORG_KIND, PROPERTY_KIND
from core.permissions import Action, Actor
from db.models import Building, CustomerProperty, Department, OrgUnit, Property, Staff, Zone
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
from db.session import read_session, write_session


def save_row(s: Session, *, actor: Actor, action: Action, model: type[SQLModel], row_id: int | None, values: dict,
             entity: str, office_id: int | None, summary: str, existing: SQLModel | None = None,
             request_id: str | None = None) -> SQLModel:
    """Create or update one master-data row with its audit row (before/after) in the same transaction.

    An update loads the row through ``load_scoped``: ``action`` must hold in the row's current office as well as
    in the target ``office_id`` the caller authorised, so nobody moves another office's row into their own.
    ``existing`` is the row when the caller already loaded it that way. A create remembers ``request_id``
    (``replayed`` answers the same form render's second submission with this row).
    """
    if row_id:
        row = existing if existing is not None else load_scoped(s, model, row_id, actor=actor, action=action,
                                                                entity=entity)
        before = row.model_dump()
        for key, value in values.items():
            setattr(row, key, value)
    else:
        row, before = model(**values), None
    s.add(row)
    s.flush()
    audit(s, actor=actor, action=f"{entity}.{'update' if row_id else 'create'}", entity=entity, entity_id=row.id,
          office_id=office_id, summary=summary, before=before, after=row.model_dump())
    if not row_id:
        remember(s, request_id, entity, row.id)
    return row


def replayed(s: Session, request_id: str | None, entity: str, row_id: int | None) -> int | None:
    """The row a create form's earlier submission (same render: double click, rerun) wrote, if any."""
    if row_id:
        return None  # an update is idempotent by itself
    done = already_done(s, request_id, entity)
    return int(done) if done else None


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
              address: str = "", phone: str = "", complaint_contact_staff_id: int | None = None, active: bool = True,
              request_id: str | None = None) -> int:
    authorize(actor, Action.ORG_MANAGE)
    with write_session() as s:
        if done := replayed(s, request_id, "org_unit", unit_id):
            return done
        # Scope first (every row named, in its current office), then the input.
        unit = load_scoped(s, OrgUnit, unit_id, actor=actor, action=Action.ORG_MANAGE, entity="org_unit") if unit_id else None
        if parent_id is not None:
            load_scoped(s, OrgUnit, parent_id, actor=actor, action=Action.ORG_MANAGE, entity="org_unit", lock=False,
                        missing="上级单位无效")
        staff = (load_scoped(s, Staff, complaint_contact_staff_id, actor=actor, action=Action.ORG_MANAGE, entity="staff",
                             lock=False, missing="投诉接口人须为本单位员工") if complaint_contact_staff_id else None)
        code = clean_text(code, "编码", max_len=32)
        name = clean_text(name, "名称")
        if kind not in ORG_KIND:
            raise DomainError("单位类型无效")
        clash = s.exec(select(OrgUnit).where(OrgUnit.code == code)).first()
        if clash and clash.id != unit_id:
            raise DomainError(f"编码 {code} 已被“{clash.name}”使用", field="编码")
        if kind != "company" and parent_id is None:
            raise DomainError("请选择上级单位", field="上级单位")
        if parent_id is not None and parent_id == unit_id:
            raise DomainError("上级单位无效", field="上级单位")
        if staff is not None and unit_id and staff.office_id != unit_id:
            raise DomainError("投诉接口人须为本单位员工", field="投诉接口人")
        if kind == "office" and unit_id and active and staff is None:  # a new office has no staff yet to name
            raise DomainError("请指定本管理处的投诉接口负责人（责任认定第3条须写明其姓名）", field="投诉接口人",
                              clause="依据《顾客投诉处理制度(投诉顾问支持及责任划分)》二.3")
        values = dict(code=code, name=name, kind=kind, parent_id=parent_id, address=clean_text(address, "地址", required=False, max_len=200),
                      phone=clean_text(phone, "电话", required=False, max_len=32),
                      complaint_contact_staff_id=complaint_contact_staff_id, active=active)
        row = save_row(s, actor=actor, action=Action.ORG_MANAGE, model=OrgUnit, row_id=unit_id, existing=unit,
                       values=values, entity="org_unit",
                       office_id=unit_id, summary=f"{ORG_KIND[kind]} {name}", request_id=request_id)
        return int(row.id)


# ----- zones and buildings -------------------------------------------------------------------------

def list_zones(*, actor: Actor, office_id: int | None = None) -> list[Zone]:
    authorize(actor, Action.ORG_VIEW, office_id)
    with read_session() as s:
        stmt = scope_filter(select(Zone), Zone.office_id, actor.scope(Action.ORG_VIEW))
        if office_id:
            stmt = stmt.where(Zone.office_id == office_id)
        return list(s.exec(stmt.order_by(Zone.office_id, Zone.name)).all())


def save_zone(*, actor: Actor, zone_id: int | None, office_id: int, name: str, active: bool = True,
              request_id: str | None = None) -> int:
    authorize(actor, Action.ORG_MANAGE, office_id)
    with write_session() as s:
        if done := replayed(s, request_id, "zone", zone_id):
            return done
        zone = load_scoped(s, Zone, zone_id, actor=actor, action=Action.ORG_MANAGE, entity="zone") if zone_id else None
        name = clean_text(name, "苑区名称")
        office = s.get(OrgUnit, office_id)
        if office is None or office.kind != "office":
            raise DomainError("苑区必须属于一个管理处", field="管理处")
        if zone is not None and zone.office_id != office_id and s.exec(
                select(Building.id).where(Building.zone_id == zone_id).limit(1)).first() is not None:
            raise DomainError("该苑区已有楼栋，不能改属其他管理处", field="管理处")
        row = save_row(s, actor=actor, action=Action.ORG_MANAGE, model=Zone, row_id=zone_id, existing=zone,
                       values=dict(office_id=office_id, name=name, active=active),
                       entity="zone", office_id=office_id, summary=f"苑区 {name}", request_id=request_id)
        return int(row.id)


def list_buildings(*, actor: Actor, zone_id: int) -> list[Building]:
    authorize(actor, Action.ORG_VIEW)
    with read_session() as s:
        stmt = scope_filter(select(Building).where(Building.zone_id == zone_id), Building.office_id, actor.scope(Action.ORG_VIEW))
        return list(s.exec(stmt.order_by(Building.name)).all())


def save_building(*, actor: Actor, building_id: int | None, zone_id: int, name: str, active: bool = True,
                  request_id: str | None = None) -> int:
    authorize(actor, Action.ORG_MANAGE)
    with write_session() as s:
        if done := replayed(s, request_id, "building", building_id):
            return done
        zone = load_scoped(s, Zone, zone_id, actor=actor, action=Action.ORG_MANAGE, entity="zone", lock=False,
                           missing="请选择苑区")
        building = (load_scoped(s, Building, building_id, actor=actor, action=Action.ORG_MANAGE, entity="building")
                    if building_id else None)
        name = clean_text(name, "楼栋名称", max_len=32)
        if building is not None and building.office_id != zone.office_id and s.exec(
                select(Property.id).where(Property.building_id == building_id).limit(1)).first() is not None:
            raise DomainError("该楼栋已有房屋，不能移到其他管理处的苑区", field="苑区")
        row = save_row(s, actor=actor, action=Action.ORG_MANAGE, model=Building, row_id=building_id, existing=building,
                       values=dict(zone_id=zone_id, office_id=zone.office_id, name=name, active=active),
                       entity="building", office_id=zone.office_id, summary=f"楼栋 {name}", request_id=request_id)
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
                  area_m2: float | None, kind: str, key_household: bool, active: bool = True,
                  request_id: str | None = None) -> int:
    authorize(actor, Action.ORG_MANAGE)
    with write_session() as s:
        if done := replayed(s, request_id, "property", property_id):
            return done
        building = load_scoped(s, Building, building_id, actor=actor, action=Action.ORG_MANAGE, entity="building",
                               lock=False, missing="请选择楼栋")
        existing = (load_scoped(s, Property, property_id, actor=actor, action=Action.ORG_MANAGE, entity="property")
                    if property_id else None)
        room = clean_text(room, "房号", max_len=16)
        unit_no = clean_text(unit_no, "单元", required=False, max_len=16)
        if kind not in PROPERTY_KIND:
            raise DomainError("房屋类型无效")
        if area_m2 is not None and not (0 < float(area_m2) < 100000):
            raise DomainError("面积应大于 0 且小于 100000 平方米", field="面积")
        zone = s.get(Zone, building.zone_id)
        if existing is not None and existing.office_id != building.office_id and s.exec(
                select(CustomerProperty.customer_id).where(CustomerProperty.property_id == property_id).limit(1)
        ).first() is not None:
            raise DomainError("该房屋已关联客户，不能移到其他管理处的楼栋", field="楼栋")
        clash = s.exec(select(Property).where(Property.building_id == building_id, Property.unit_no == unit_no,
                                              Property.room == room)).first()
        if clash and clash.id != property_id:
            raise DomainError("该楼栋已有相同单元和房号的房屋", field="房号")
        values = dict(building_id=building_id, zone_id=building.zone_id, office_id=building.office_id, unit_no=unit_no,
                      room=room, area_m2=area_m2, kind=kind, key_household=key_household, active=active,
                      label=property_label(zone.name, building.name, unit_no, room))
        row = save_row(s, actor=actor, action=Action.ORG_MANAGE, model=Property, row_id=property_id, existing=existing,
                       values=values, entity="property",
                       office_id=building.office_id, summary=values["label"], request_id=request_id)
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
                                   Department.head_staff_id, Department.active, Department.leader_staff_id),
                            Department.org_unit_id, actor.scope(Action.ORG_VIEW))
        if org_unit_id:
            stmt = stmt.where(Department.org_unit_id == org_unit_id)
        return list(s.exec(stmt.order_by(Department.org_unit_id, Department.name)).all())


def save_department(*, actor: Actor, department_id: int | None, org_unit_id: int, name: str, kind: str,
                    head_staff_id: int | None, active: bool = True, request_id: str | None = None,
                    leader_staff_id: int | None = None) -> int:
    """A department; ``leader_staff_id``: its 分管领导 (a staff member of any unit), told of a 热点 complaint it answers
    for (投诉通报处理制度 二)."""
    authorize(actor, Action.ORG_MANAGE, org_unit_id)
    with write_session() as s:
        if done := replayed(s, request_id, "department", department_id):
            return done
        department = (load_scoped(s, Department, department_id, actor=actor, action=Action.ORG_MANAGE,
                                  entity="department") if department_id else None)
        head = (load_scoped(s, Staff, head_staff_id, actor=actor, action=Action.ORG_MANAGE, entity="staff", lock=False,
                            missing="负责人不存在") if head_staff_id is not None else None)
        if leader_staff_id is not None:  # a company leader: staff of the company or the HQ, never of a 管理处
            leader = s.get(Staff, leader_staff_id)
            unit = s.get(OrgUnit, leader.office_id) if leader is not None else None
            if unit is None or unit.kind not in ("company", "hq"):
                raise DomainError("分管领导须为公司或总部的员工", field="分管领导")
        name = clean_text(name, "部门名称")
        if kind not in DEPARTMENT_KIND:
            raise DomainError("部门类型无效")
        if s.get(OrgUnit, org_unit_id) is None:
            raise DomainError("所属单位不存在")
        if head is not None and head.office_id != org_unit_id:
            raise DomainError("负责人须为本单位员工", field="负责人")
        row = save_row(s, actor=actor, action=Action.ORG_MANAGE, model=Department, row_id=department_id,
                       existing=department,
                       values=dict(org_unit_id=org_unit_id, name=name, kind=kind, head_staff_id=head_staff_id,
                                   leader_staff_id=leader_staff_id, active=active),
                       entity="department", office_id=org_unit_id, summary=f"部门 {name}", request_id=request_id)
        return int(row.id)
