"""Organisation: 公司 → 客服中心(总部) and 管理处 → 苑区 → 楼栋 → 房屋, and departments."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class OrgUnit(SQLModel, table=True):
    __office_field__ = "id"  # a unit is its own office (db.services.base.office_of)
    __tablename__ = "org_unit"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # company | hq | office
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id")
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=32)
    # 投诉接口人; no FK constraint: staff → office → staff would be a cycle that PostgreSQL cannot create in one step
    complaint_contact_staff_id: int | None = None
    active: bool = True


class Zone(SQLModel, table=True):
    """苑区: a residential zone or phase inside an office's estate."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    name: str = Field(max_length=64)
    active: bool = True


class Building(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)
    name: str = Field(max_length=32)
    active: bool = True


class Property(SQLModel, table=True):
    """房屋: a flat or a shop."""

    # A 管理处's list in label order, searched within the index (0003_perf_indexes).
    __table_args__ = (Index("ix_property_office_label", "office_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    unit_no: str = Field(default="", max_length=16)
    room: str = Field(max_length=16)
    label: str = Field(max_length=80, index=True)  # "康乐苑 3幢 1单元 502" for search and lists
    area_m2: float | None = None
    kind: str = Field(default="residential", max_length=16)  # residential | shop
    key_household: bool = False
    active: bool = True


class Department(SQLModel, table=True):
    __office_field__ = "org_unit_id"  # db.services.base.office_of
    id: int | None = Field(default=None, primary_key=True)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    name: str = Field(max_length=64)
    kind: str = Field(max_length=32)  # see core.labels.DEPARTMENT_KIND
    head_staff_id: int | None = None  # staff.id (no FK: staff → department → staff cycle)
    leader_staff_id: int | None = None  # 分管领导: the company leader in charge (staff.id, no FK), told of a 热点 complaint
    active: bool = True
