"""Numbers on screen that come from the policy book show the value in force (issue 9 §2).

The administrator changes the value through the policy service; the next page run shows the new number.
"""

from __future__ import annotations

from core.roles import Role
from db.services import policy as policy_service
from db.services.auth import build_actor, session_user
from tests.app import harness as h
from tests.demo_data import DEMO_PASSWORD
from ui.fmt import now


def _set_min_password_length(accounts, value: int) -> None:
    admin = build_actor(session_user(accounts[Role.SYSADMIN]).user_id, now=now())
    policy_service.set_value(actor=admin, key="security.min_password_length", value=value, effective_from=now(),
                             reason="安全加固：客户确认", now=now())


def _texts(at) -> str:
    helps = [t.help or "" for t in at.text_input]
    return " ".join([c.value for c in at.caption] + helps)


def test_password_page_shows_the_minimum_length_in_force(accounts, demo_db):
    at = h.login(h.new_app(), accounts[Role.CLERK], DEMO_PASSWORD)
    at.switch_page("views/home/password.py").run()
    assert not at.exception, at.exception
    assert "至少 8 位" in _texts(at) and "至少 8 个字符" in _texts(at)

    _set_min_password_length(accounts, 12)
    at.run()
    assert not at.exception, at.exception
    texts = _texts(at)
    assert "至少 12 位" in texts and "至少 12 个字符" in texts, texts
    assert "至少 8 " not in texts


def test_new_account_form_shows_the_minimum_length_in_force(accounts, demo_db):
    _set_min_password_length(accounts, 14)
    at = h.login(h.new_app(), accounts[Role.SYSADMIN], DEMO_PASSWORD)
    at.switch_page("views/admin/users.py").run()
    assert not at.exception, at.exception
    initial = next(t for t in at.text_input if t.label == "初始密码 *")
    assert "至少 14 个字符" in initial.help and "8" not in initial.help
