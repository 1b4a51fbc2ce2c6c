"""Child process of ``test_two_processes``: start like app.py (bootstrap), then write through services.

    python -m tests.db.two_proc_worker NAME GO_FILE WRITES     (DATABASE_URL names the database)

Prints ``READY`` once imported, waits for GO_FILE (so both processes bootstrap at the same moment), then
prints one JSON line with what it wrote and any error it met.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from core.permissions import Actor, Grant
from core.roles import Role
from db.bootstrap import bootstrap
from db.engine import get_engine
from db.models import OrgUnit, User
from db.services import people, policy
from db.services.base import next_number
from db.services.notices import notify
from db.session import write_session


def main() -> None:
    name, go_file, writes = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    engine = get_engine()
    print("READY", flush=True)
    while not go_file.exists():
        time.sleep(0.005)
    report: dict = {"name": name, "errors": [], "numbers": [], "customers": 0, "policy": 0, "notices": 0}
    try:
        bootstrap(engine)  # what app.py's ready_engine() does in every process
    except Exception:  # noqa: BLE001  reported to the parent
        report["errors"].append("bootstrap: " + traceback.format_exc(limit=3))
        print(json.dumps(report, ensure_ascii=False), flush=True)
        return
    with Session(engine) as s:
        admin = s.exec(select(User).where(User.username == "admin")).one()
        hq = s.exec(select(OrgUnit).where(OrgUnit.kind == "hq")).one()
        actor = Actor(admin.id, admin.username, admin.display_name, (Grant(Role.SYSADMIN, hq.id),))
    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    for i in range(writes):
        try:
            kind = i % 4
            if kind == 0:
                people.save_customer(actor=actor, customer_id=None, office_id=hq.id, name=f"{name}客户{i}", kind="owner",
                                     id_number="", phone="")
                report["customers"] += 1
            elif kind == 1:
                policy.set_value(actor=actor, key="complaint.hot_collective", value=3 + i % 3, effective_from=now,
                                 reason=f"{name} {i}", now=now)
                report["policy"] += 1
            elif kind == 2:
                with write_session() as s:
                    report["numbers"].append(next_number(s, "TWO", 2026))
            else:
                with write_session() as s:
                    notify(s, recipient_user_ids=[actor.user_id], kind="info", title=f"{name}通知{i}", now=now)
                report["notices"] += 1
        except Exception:  # noqa: BLE001
            report["errors"].append(traceback.format_exc(limit=3))
    print(json.dumps(report, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
