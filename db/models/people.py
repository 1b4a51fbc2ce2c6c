"""People: staff (员工) and customers (业主/住户) linked to properties."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    name: str = Field(max_length=64, index=True)
    post: str = Field(max_length=32)  # role code of the post (core.roles.Role) or free text
    department_id: int | None = Field(default=None, foreign_key="department.id")
    phone: str = Field(default="", max_length=32)
    hire_date: date | None = None
    independent_on_post: bool = False  # 可独立上岗 (D1 第8条: otherwise may not answer customer calls)
    active: bool = True


class Customer(SQLModel, table=True):
    # A 管理处's customers in name order, searched within the index (0003_perf_indexes).
    __table_args__ = (Index("ix_customer_office_name", "office_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="org_unit.id", index=True)
    name: str = Field(max_length=64, index=True)
    kind: str = Field(default="owner", max_length=16)  # owner | family | tenant | shop_tenant
    # core.identity.ID_TYPES; the server default serves plain INSERTs (scripts/scale) and the rows before 0006
    id_type: str = Field(default="resident_id", max_length=24, sa_column_kwargs={"server_default": "resident_id"})
    id_number: str = Field(default="", max_length=32)
    phone: str = Field(default="", max_length=32, index=True)
    active: bool = True


class CustomerProperty(SQLModel, table=True):
    __tablename__ = "customer_property"
    __table_args__ = (UniqueConstraint("customer_id", "property_id"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    property_id: int = Field(foreign_key="property.id", index=True)
    relation: str = Field(default="owner", max_length=16)
    since: date | None = None
    until: date | None = None
