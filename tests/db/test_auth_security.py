"""Sign-in, sessions and passwords on a real database (OWASP ASVS V6/V7; stack-notes §2 pitfalls).

Time is passed in (``now``), never slept: the throttle window and the session timeouts are crossed by
moving ``now`` forward.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import bcrypt
import pytest
from sqlmodel import Session, select

from core.errors import DomainError
from core.passwords import COMMON_PASSWORDS_FILE, check_new_password
from core.roles import Role
from db.engine import get_engine
from db.models import LoginAttempt, User
from db.services import auth, users
from db.services import policy as policy_service
from tests.db.world import audit_rows, has_cjk

GOOD = "晴天-水杉-2026"  # 8+ characters, not common, no username inside


def _hash_of(url: str, user_id: int) -> str:
    with Session(get_engine(url)) as s:
        return s.get(User, user_id).password_hash


def _cost(hashed: str) -> int:
    prefix, cost, _ = hashed.split("$")[1:4] if hashed.startswith("$") else ("", "0", "")
    assert prefix in ("2a", "2b", "2y"), hashed[:7]
    return int(cost)


def _user(url: str, user_id: int) -> User:
    with Session(get_engine(url)) as s:
        return s.get(User, user_id)


@pytest.fixture
def admin(make_actor):
    return make_actor(Role.SYSADMIN, username="sec_admin")


@pytest.fixture
def zhang(db_url, org, admin, now):
    """A clerk account created through the service (bcrypt hash, must change at first login)."""
    uid = users.create_user(actor=admin, username="zhang", display_name="张前台", password=GOOD,
                            grants=[(Role.CLERK.value, org.office_a)], now=now)
    return uid


# ----- stored hashes and password rules ---------------------------------------------------------------

def test_every_stored_hash_is_bcrypt_cost_12_or_more(db_url, admin, zhang, now):
    assert _cost(_hash_of(db_url, zhang)) >= 12
    temporary = users.reset_password(actor=admin, user_id=zhang, now=now)
    assert _cost(_hash_of(db_url, zhang)) >= 12
    actor = auth.build_actor(zhang, now=now)
    auth.change_own_password(actor=actor, old_password=temporary, new_password="另一个-好密码-77", now=now)
    hashed = _hash_of(db_url, zhang)
    assert _cost(hashed) >= 12 and bcrypt.checkpw("另一个-好密码-77".encode(), hashed.encode())


def test_password_over_72_bytes_is_refused_with_a_chinese_message(db_url, zhang, now):
    actor = auth.build_actor(zhang, now=now)
    too_long = "密" * 25  # 75 bytes in UTF-8, only 25 characters
    with pytest.raises(DomainError) as info:
        auth.change_own_password(actor=actor, old_password=GOOD, new_password=too_long, now=now)
    assert "72" in info.value.message and has_cjk(info.value.message)
    check_new_password("密" * 24)  # exactly 72 bytes is accepted
    # a login with an over-long password is a plain refusal, never a bcrypt ValueError
    result = auth.verify_login("zhang", "x" * 100, source="10.0.0.1", now=now)
    assert not result.ok and result.message == "用户名或密码错误"
    assert bcrypt.checkpw(GOOD.encode(), _hash_of(db_url, zhang).encode())


def test_minimum_length_follows_the_policy_book(db_url, admin, zhang, now):
    actor = auth.build_actor(zhang, now=now)
    with pytest.raises(DomainError, match="至少需要 8 个字符"):
        auth.change_own_password(actor=actor, old_password=GOOD, new_password="水杉晴天水杉晴", now=now)  # 7
    policy_service.set_value(actor=admin, key="security.min_password_length", value=12, effective_from=now,
                             reason="安全加固", now=now)
    with pytest.raises(DomainError, match="至少需要 12 个字符"):
        auth.change_own_password(actor=actor, old_password=GOOD, new_password="水杉晴天水杉晴天水杉晴", now=now)  # 11
    auth.change_own_password(actor=actor, old_password=GOOD, new_password="水杉晴天水杉晴天水杉晴天", now=now)


def test_every_common_password_is_refused():
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    common = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert len(common) > 500
    for word in common:
        for variant in {word, word.upper(), word.capitalize()}:
            with pytest.raises(DomainError) as info:
                check_new_password(variant, min_length=1)
            assert has_cjk(info.value.message), variant


def test_common_password_refused_through_the_service(db_url, zhang, now):
    actor = auth.build_actor(zhang, now=now)
    with pytest.raises(DomainError, match="常见"):
        auth.change_own_password(actor=actor, old_password=GOOD, new_password="Password123", now=now)
    assert bcrypt.checkpw(GOOD.encode(), _hash_of(db_url, zhang).encode())


# ----- throttle ---------------------------------------------------------------------------------------

def test_five_failures_throttle_the_account_are_logged_and_expire(db_url, zhang, now):
    for i in range(5):
        result = auth.verify_login("zhang", f"wrong-{i}", source="10.0.0.1", now=now + timedelta(seconds=i))
        assert not result.ok and result.message == "用户名或密码错误"
    # the right password does not help while throttled, and the throttle is logged
    throttled = auth.verify_login("zhang", GOOD, source="10.0.0.2", now=now + timedelta(minutes=1))
    assert not throttled.ok and "过多" in throttled.message and "分钟" in throttled.message
    assert throttled.retry_after is not None
    logged = audit_rows(db_url, "auth.throttled")
    assert len(logged) == 1 and "zhang" in logged[0].summary and logged[0].source == "10.0.0.2"
    assert len(audit_rows(db_url, "auth.login_failed")) == 5
    # still throttled one minute before the window ends, free when it has passed (as the message said)
    window = timedelta(minutes=policy_service.policy_at(now)["security.login_window_minutes"])
    assert not auth.verify_login("zhang", GOOD, source="10.0.0.2", now=now + window - timedelta(minutes=1)).ok
    after = auth.verify_login("zhang", GOOD, source="10.0.0.2", now=throttled.retry_after + timedelta(seconds=1))
    assert after.ok, after.message
    assert len(audit_rows(db_url, "auth.login")) == 1


def test_waiting_as_told_lets_the_user_in_even_after_more_tries(db_url, zhang, now):
    """Throttled tries do not move the goalposts: the time the message names is the time it works."""
    for i in range(5):
        auth.verify_login("zhang", "wrong", source="10.0.0.1", now=now + timedelta(minutes=i))
    first = auth.verify_login("zhang", GOOD, source="10.0.0.1", now=now + timedelta(minutes=6))
    again = auth.verify_login("zhang", GOOD, source="10.0.0.1", now=now + timedelta(minutes=10))
    assert not first.ok and not again.ok
    assert again.retry_after <= first.retry_after
    assert auth.verify_login("zhang", GOOD, source="10.0.0.1", now=first.retry_after + timedelta(seconds=1)).ok


def test_unknown_usernames_are_throttled_the_same_way(db_url, now):
    for i in range(5):
        assert auth.verify_login("nobody", "x", source="10.0.0.1", now=now + timedelta(seconds=i)).message == "用户名或密码错误"
    assert "过多" in auth.verify_login("nobody", "x", source="10.0.0.1", now=now + timedelta(seconds=10)).message


def test_throttle_per_source(db_url, admin, zhang, now):
    """Failures from one address spread over many names stop that address, not the others."""
    assert policy_service.policy_at(now)["security.source_failures"] == 30
    policy_service.set_value(actor=admin, key="security.source_failures", value=6, effective_from=now,
                             reason="测试用较小阈值", now=now)
    for i in range(6):
        auth.verify_login(f"guess{i % 7}", "x", source="203.0.113.9", now=now + timedelta(seconds=i))
    from_attacker = auth.verify_login("zhang", GOOD, source="203.0.113.9", now=now + timedelta(minutes=1))
    assert not from_attacker.ok and "过多" in from_attacker.message
    from_desk = auth.verify_login("zhang", GOOD, source="10.0.0.8", now=now + timedelta(minutes=1))
    assert from_desk.ok


def test_unknown_and_known_usernames_take_the_same_time(db_url, zhang, now):
    """No username enumeration by timing: both refusals run one bcrypt check (stack-notes §2.2 pitfall 5).

    Samples alternate between the two names so a busy machine slows both alike. CPU time (what the server
    spends) must agree within 25 %; wall time within a factor of 2. Skipping bcrypt for unknown names would
    make them about 20 times faster, far outside both bounds.
    """
    wall: dict[str, list[float]] = {"zhang": [], "no-such-user": []}
    cpu: dict[str, list[float]] = {"zhang": [], "no-such-user": []}
    auth.verify_login("warm-up", "x", source="198.51.100.99", now=now)
    for i in range(7):
        for username in ("zhang", "no-such-user"):
            w0, c0 = time.perf_counter(), time.process_time()
            result = auth.verify_login(username, f"wrong-{i}", source=f"198.51.100.{i}",
                                       now=now + timedelta(hours=1 + i))  # one failure per throttle window
            wall[username].append(time.perf_counter() - w0)
            cpu[username].append(time.process_time() - c0)
            assert result.message == "用户名或密码错误"
    known_cpu, unknown_cpu = statistics.median(cpu["zhang"]), statistics.median(cpu["no-such-user"])
    known, unknown = statistics.median(wall["zhang"]), statistics.median(wall["no-such-user"])
    assert known_cpu > 0.05, "bcrypt cost too low to measure"
    assert abs(known_cpu - unknown_cpu) < 0.25 * max(known_cpu, unknown_cpu), (known_cpu, unknown_cpu)
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_disabled_account_is_refused_like_a_wrong_password(db_url, admin, zhang, now):
    users.set_active(actor=admin, user_id=zhang, active=False, now=now)
    result = auth.verify_login("zhang", GOOD, source="10.0.0.1", now=now + timedelta(seconds=1))
    assert not result.ok and result.message == "用户名或密码错误"


def test_every_attempt_is_recorded(db_url, zhang, now):
    auth.verify_login("zhang", "wrong", source="10.0.0.1", now=now)
    auth.verify_login("ZHANG ", GOOD, source="10.0.0.1", now=now + timedelta(seconds=1))
    with Session(get_engine(db_url)) as s:
        rows = s.exec(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert [(r.username, r.success) for r in rows] == [("zhang", False), ("zhang", True)]


# ----- sessions -----------------------------------------------------------------------------------------

def _session(username: str) -> auth.SessionUser:
    return auth.session_user(username)


def test_logout_password_change_reset_and_disable_end_earlier_sessions(db_url, admin, zhang, now):
    issued = now
    assert auth.session_problem(_session("zhang"), issued_at=issued, last_seen=issued, now=issued) is None

    # logout (the gate calls end_sessions): the same cookie or session no longer works
    t1 = now + timedelta(minutes=5)
    auth.end_sessions(zhang, now=t1, reason="退出登录")
    assert "失效" in auth.session_problem(_session("zhang"), issued_at=issued, last_seen=t1, now=t1)
    assert auth.session_problem(_session("zhang"), issued_at=t1, last_seen=t1, now=t1) is None

    # own password change
    t2 = t1 + timedelta(minutes=5)
    auth.change_own_password(actor=auth.build_actor(zhang, now=t2), old_password=GOOD,
                             new_password="新的-好密码-2027", now=t2)
    assert "失效" in auth.session_problem(_session("zhang"), issued_at=t1, last_seen=t2, now=t2)
    assert len(audit_rows(db_url, "auth.password_changed")) == 1

    # administrator reset
    t3 = t2 + timedelta(minutes=5)
    users.reset_password(actor=admin, user_id=zhang, now=t3)
    assert "失效" in auth.session_problem(_session("zhang"), issued_at=t2, last_seen=t3, now=t3)
    assert _session("zhang").must_change_password

    # disable: every session ends, whatever its issue time
    t4 = t3 + timedelta(minutes=5)
    users.set_active(actor=admin, user_id=zhang, active=False, now=t4)
    assert "停用" in auth.session_problem(_session("zhang"), issued_at=t4, last_seen=t4, now=t4)
    assert len(audit_rows(db_url, "auth.sessions_ended")) == 4


def test_idle_and_absolute_timeouts_come_from_the_policy_book(db_url, admin, zhang, now):
    user = _session("zhang")
    idle = timedelta(minutes=30)
    assert auth.session_problem(user, issued_at=now, last_seen=now, now=now + idle - timedelta(seconds=1)) is None
    assert "未操作" in auth.session_problem(user, issued_at=now, last_seen=now, now=now + idle + timedelta(seconds=1))
    # active all the time, but 12 hours after sign-in the session ends anyway
    late = now + timedelta(hours=12, seconds=1)
    assert "最长时限" in auth.session_problem(user, issued_at=now, last_seen=late - timedelta(minutes=1), now=late)
    assert auth.session_problem(user, issued_at=now, last_seen=late - timedelta(minutes=1),
                                now=late - timedelta(seconds=2)) is None
    # the administrator shortens the idle timeout: it applies at once
    policy_service.set_value(actor=admin, key="security.idle_timeout_minutes", value=10, effective_from=now,
                             reason="安全加固", now=now)
    assert "未操作" in auth.session_problem(user, issued_at=now, last_seen=now, now=now + timedelta(minutes=11))


def test_bootstrap_admin_must_change_the_initial_password(tmp_path, monkeypatch, now):
    """No default password survives first login: the one-time admin password is forced to change."""
    from db import engine as engine_module
    from db.bootstrap import bootstrap

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ADMIN_INITIAL_PASSWORD", raising=False)
    engine_module.reset_engines()
    bootstrap(engine_module.get_engine(url), data_dir=tmp_path)
    secret = tmp_path / "admin-initial-password.txt"
    assert secret.stat().st_mode & 0o077 == 0, "one-time password file readable by others"
    username, password = secret.read_text(encoding="utf-8").split()
    assert username == "admin" and len(password) >= 12
    admin_user = _session("admin")
    assert admin_user.must_change_password and not admin_user.is_demo
    assert _cost(_hash_of(url, admin_user.user_id)) >= 12

    login = auth.verify_login("admin", password, source="10.0.0.1", now=now)
    assert login.ok
    actor = auth.build_actor(login.user_id, now=now)
    auth.change_own_password(actor=actor, old_password=password, new_password="管理员-新密码-2026", now=now)
    assert not _session("admin").must_change_password
    assert not auth.verify_login("admin", password, source="10.0.0.1", now=now + timedelta(seconds=1)).ok
    # a second start does not create another admin or reset the password
    bootstrap(engine_module.get_engine(url), data_dir=tmp_path)
    assert auth.verify_login("admin", "管理员-新密码-2026", source="10.0.0.1", now=now + timedelta(seconds=2)).ok
    engine_module.reset_engines()


def test_accounts_created_by_an_administrator_must_change_their_password(db_url, zhang):
    assert _session("zhang").must_change_password and not _session("zhang").is_demo


def test_bootstrap_with_a_given_initial_password_writes_no_file(tmp_path, monkeypatch):
    from db import engine as engine_module
    from db.bootstrap import bootstrap

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ADMIN_INITIAL_PASSWORD", "初始-口令-只用一次")
    engine_module.reset_engines()
    bootstrap(engine_module.get_engine(url), data_dir=tmp_path)
    assert not (tmp_path / "admin-initial-password.txt").exists()
    assert _session("admin").must_change_password
    engine_module.reset_engines()


def test_a_cookie_idle_past_the_policy_timeout_is_refused_by_the_service(db_url, admin, zhang, now):
    """The idle rule of cookie logins is the service's (it used to live only in ui/auth_gate.py)."""
    issued = now
    auth.touch(zhang, now=now + timedelta(minutes=10))  # last click in any session
    back = now + timedelta(minutes=10 + 31)  # the browser returns with its cookie, 31 minutes later
    verdict = auth.cookie_login("zhang", issued_at=issued, now=back)
    assert verdict.user is None and "未操作" in verdict.problem
    # within the idle timeout the same cookie signs the user in again
    verdict = auth.cookie_login("zhang", issued_at=issued, now=now + timedelta(minutes=10 + 29))
    assert verdict.problem is None and verdict.user.username == "zhang"
    # the timeout is the policy book's: lengthened to an hour, the 31-minute pause is accepted
    policy_service.set_value(actor=admin, key="security.idle_timeout_minutes", value=60, effective_from=now,
                             reason="客户确认", now=now)
    assert auth.cookie_login("zhang", issued_at=issued, now=back).problem is None
    # the other rules hold for cookies too: ended sessions, the absolute timeout, a disabled account
    late = issued + timedelta(hours=12, seconds=1)
    auth.touch(zhang, now=late - timedelta(minutes=1))
    assert "最长时限" in auth.cookie_login("zhang", issued_at=issued, now=late).problem
    auth.end_sessions(zhang, now=back, reason="退出登录")
    assert "失效" in auth.cookie_login("zhang", issued_at=issued, now=back).problem
    assert "停用" in auth.cookie_login("nobody", issued_at=back, now=back).problem
