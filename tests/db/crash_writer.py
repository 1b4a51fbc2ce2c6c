"""Child process of ``test_crash``: writes through the real services without pause, one ACK line per commit.

    python -m tests.db.crash_writer ADMIN_USER_ID OFFICE_ID      (DATABASE_URL names the database)

Each line ``ACK <kind> <id>`` is printed only after the service returned, i.e. after its commit: whatever
was acknowledged must survive a SIGKILL of this process at any moment.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from core.permissions import Actor, Grant
from core.roles import Role
from db.services import org, people, policy
from db.services.base import next_number
from db.session import write_session


def main() -> None:
    admin_id, office_id, run = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    admin = Actor(admin_id, "crash_admin", "崩溃测试管理员", (Grant(Role.SYSADMIN, office_id),))
    now = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    i = 0
    while True:
        kind = i % 4
        if kind == 0:
            ident = org.save_zone(actor=admin, zone_id=None, office_id=office_id, name=f"崩溃苑区{run}-{i}")
            name = "zone"
        elif kind == 1:
            ident = people.save_customer(actor=admin, customer_id=None, office_id=office_id, name=f"崩溃客户{run}-{i}",
                                         kind="owner", id_number="", phone="")
            name = "customer"
        elif kind == 2:
            ident = policy.set_value(actor=admin, key="complaint.hot_collective", value=3 + i % 5, effective_from=now,
                                     reason=f"崩溃测试 {run}-{i}", now=now)
            name = "policy"
        else:
            with write_session() as s:
                ident = next_number(s, "CRASH", 2026)
            name = "number"
        sys.stdout.write(f"ACK {name} {ident}\n")
        sys.stdout.flush()
        i += 1


if __name__ == "__main__":
    main()
