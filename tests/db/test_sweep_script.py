"""scripts/sweep.py: the cron entry point runs the complaint daily sweep once and prints one line; it refuses
an outdated schema instead of migrating it."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from sqlmodel import Session, select

from core.roles import Role
from db.engine import get_engine
from db.models import Complaint
from db.services import complaints as svc
from db.services.complaints import ComplaintIn
from scripts import sweep
from tests.demo_data import ROOT, clean_env


def _old_complaint(org, make_actor, now) -> Complaint:
    clerk = make_actor(Role.CLERK, org.office_a)
    data = ComplaintIn(office_id=org.office_a, channel="phone", category="engineering", description="电梯反复故障",
                       occurred_at=now - timedelta(hours=1), complainant_name="李业主", our_fault=True)
    return svc.register(actor=clerk, data=data, request_id="sweep-1", now=now)


def test_one_run_upgrades_and_prints_a_summary(db_url, org, make_actor, now, capsys):
    c = _old_complaint(org, make_actor, now)
    assert sweep.main(["--now", (now + timedelta(days=8)).isoformat()]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line
    assert line.startswith("投诉日常巡检 2026-12-05 10:00：类别调整 1 件（" + c.number + "）")
    assert "通报超时 0 件" in line and "处理超期 1 件" in line
    with Session(get_engine(db_url)) as s:
        assert s.exec(select(Complaint.grade).where(Complaint.id == c.id)).one() == "hot"
    assert sweep.main(["--now", (now + timedelta(days=8)).isoformat()]) == 0  # idempotent
    assert "类别调整 0 件，" in capsys.readouterr().out


def test_bad_time_and_outdated_schema_are_refused(tmp_path, capsys, sqlite_url):
    assert sweep.main(["--now", "明天"]) == 1
    assert "时间格式无效" in capsys.readouterr().err
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert sweep.main(["--database-url", empty, "--now", "2026-11-27T10:00"]) == 1
    assert "数据库结构不是最新版本" in capsys.readouterr().err


def test_runs_as_a_command_for_cron(sqlite_url, tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "sweep.py"), "--now", "2026-11-27T10:00"],
                            cwd=tmp_path, env=clean_env(DATABASE_URL=sqlite_url), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("投诉日常巡检 2026-11-27 10:00：类别调整 0 件")
