"""The spine's attachments (db.services.attachments), with complaints as the first record type: idempotent
uploads, metadata-only lists, bytes read only when opened, office scope on the record, and the 0008 migration's
copy of the complaint attachments (no file lost, both directions)."""

from __future__ import annotations

import io

import pytest
from alembic import command
from PIL import Image
from sqlalchemy import event, text
from sqlmodel import Session, func, select

from core.errors import DomainError, NotFound
from core.roles import Role
from db.engine import get_engine
from db.migrate import alembic_config
from db.models import Attachment, AttachmentBlob
from db.services import attachments
from db.services import complaints as svc

PDF = b"%PDF-1.4\n" + b"0" * 1000 + b"\n%%EOF\n"


def _png(color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()


def _complaint(actor, office_id, now, **kw):
    data = svc.ComplaintIn(office_id=office_id, channel="phone", category="engineering", description="地下车库积水",
                           occurred_at=now, complainant_name="王先生", **kw)
    return svc.register(actor=actor, data=data, request_id=None, now=now)


@pytest.fixture
def clerks(org, make_actor):
    return make_actor(Role.CLERK, org.office_a), make_actor(Role.CLERK, org.office_b)


def _count(url, model) -> int:
    with Session(get_engine(url)) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_the_same_request_writes_the_files_once(db_url, org, clerks, now):
    clerk, _ = clerks
    c = _complaint(clerk, org.office_a, now)
    files = [("a.png", _png()), ("b.pdf", PDF)]
    first = attachments.add(actor=clerk, record_type="complaint", record_id=c.id, files=files, now=now,
                            request_id="upload-1", caption="现场照片")
    again = attachments.add(actor=clerk, record_type="complaint", record_id=c.id, files=files, now=now,
                            request_id="upload-1", caption="现场照片")
    assert again == first and len(first) == 2
    assert _count(db_url, Attachment) == 2 and _count(db_url, AttachmentBlob) == 2
    assert [i.caption for i in attachments.list_for(actor=clerk, record_type="complaint", record_id=c.id)] == [
        "现场照片", "现场照片"]


def test_lists_never_read_the_bytes_and_open_reads_one_file(db_url, org, clerks, now):
    clerk, clerk_b = clerks
    c = _complaint(clerk, org.office_a, now, attachments=[("现场.png", _png())])
    statements: list[str] = []
    engine = get_engine(db_url)

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        detail = svc.detail(actor=clerk, complaint_id=c.id, now=now)
        listed = attachments.list_for(actor=clerk, record_type="complaint", record_id=c.id)
        assert not [st for st in statements if "attachment_blob" in st]
        assert detail.attachments == listed and listed[0].is_image and listed[0].filename == "现场.png"
        opened = attachments.open(actor=clerk, attachment_id=listed[0].id)
        assert [st for st in statements if "attachment_blob" in st]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert opened.mime == "image/png" and Image.open(io.BytesIO(opened.data)).size == (40, 30)
    for call in (lambda: attachments.open(actor=clerk_b, attachment_id=listed[0].id),
                 lambda: attachments.list_for(actor=clerk_b, record_type="complaint", record_id=c.id),
                 lambda: attachments.add(actor=clerk_b, record_type="complaint", record_id=c.id,
                                         files=[("x.pdf", PDF)], now=now, request_id=None)):
        with pytest.raises(NotFound):  # another office's record: the same answer as no record
            call()
    with pytest.raises(DomainError, match="不支持附件"):
        attachments.list_for(actor=clerk, record_type="no_such_type", record_id=c.id)


def test_migration_0008_copies_complaint_attachments_both_ways(db_url, org, make_actor, now):
    clerk = make_actor(Role.CLERK, org.office_a)
    c = _complaint(clerk, org.office_a, now, attachments=[("现场.png", _png()), ("扫描件.pdf", PDF)])
    before = [(i.id, i.filename, i.mime, i.size, i.uploaded_by) for i in
              attachments.list_for(actor=clerk, record_type="complaint", record_id=c.id)]
    data = {i: attachments.open(actor=clerk, attachment_id=i).data for i, *_ in before}
    cfg = alembic_config()
    engine = get_engine(db_url)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003_perf_indexes")
        conn.commit()
        rows = conn.execute(text("SELECT id, complaint_id, filename, mime, size, uploaded_by, data "
                                 "FROM complaint_attachment ORDER BY id")).all()
        assert [(r.id, r.filename, r.mime, r.size, r.uploaded_by) for r in rows] == before
        assert {r.id: bytes(r.data) for r in rows} == data and {r.complaint_id for r in rows} == {c.id}
        command.upgrade(cfg, "head")
        conn.commit()
    after = attachments.list_for(actor=clerk, record_type="complaint", record_id=c.id)
    assert [(i.id, i.filename, i.mime, i.size, i.uploaded_by) for i in after] == before
    assert {i.id: attachments.open(actor=clerk, attachment_id=i.id).data for i in after} == data
    new = attachments.add(actor=clerk, record_type="complaint", record_id=c.id, files=[("再传.pdf", PDF)], now=now,
                          request_id=None)
    assert new[0] > max(data)
