"""The permission matrix, cell by cell: generated from ``core.permissions.MATRIX`` so it grows with every issue.

For every role × every Action × (own office, other office, no office) the ``Actor`` answers exactly what
the matrix and the company-wide role list say; ``scope`` agrees with ``can``. The 保安 (guard) reaches only
the pages and actions listed in ``GUARD_MAY`` below: adding a guard permission is a deliberate edit here.
"""

from __future__ import annotations

import pytest

from core.permissions import DELEGABLE, MATRIX, Action, Actor, Grant, allowed_roles
from core.roles import COMPANY_WIDE_ROLES, ROLE_LABELS, Role

OWN, OTHER = 101, 202

# What a guard may do. Foundation: home, own password, own notices. Later issues add the gate lookup and
# violation recording (prefixes below); anything else given to the guard fails this suite on purpose.
GUARD_FOUNDATION = {Action.HOME_VIEW, Action.PASSWORD_CHANGE_OWN, Action.NOTICE_VIEW_OWN}
GUARD_LATER_PREFIXES = ("gate.", "pass.lookup", "pass.view", "pass.check", "pass.confiscate", "violation.record",
                        "violation.create")


def guard_may(action: Action) -> bool:
    return action in GUARD_FOUNDATION or action.value.startswith(GUARD_LATER_PREFIXES)


def actor_with(*grants: Grant, delegated: tuple[Grant, ...] = ()) -> Actor:
    return Actor(user_id=1, username="u", name="测试", grants=tuple(grants), delegated=delegated)


CELLS = [(role, action) for role in Role for action in Action]


def test_every_action_has_a_matrix_row_and_every_role_a_label():
    assert set(MATRIX) == set(Action), f"actions without a MATRIX row: {set(Action) - set(MATRIX)}"
    assert set(ROLE_LABELS) == set(Role)
    for action, roles in MATRIX.items():
        assert roles <= set(Role), action
        assert allowed_roles(action) == roles


@pytest.mark.parametrize(("role", "action"), CELLS, ids=[f"{r.value}-{a.value}" for r, a in CELLS])
def test_cell(role: Role, action: Action):
    allowed = role in MATRIX[action]
    company_wide = role in COMPANY_WIDE_ROLES
    actor = actor_with(Grant(role, OWN))
    assert actor.can(action) is allowed
    assert actor.can(action, OWN) is allowed
    assert actor.can(action, OTHER) is (allowed and company_wide)
    expected_scope = (None if company_wide else frozenset({OWN})) if allowed else frozenset()
    assert actor.scope(action) == expected_scope


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_no_grant_reaches_nothing(action: Action):
    nobody = actor_with()
    assert not nobody.can(action)
    assert not nobody.can(action, OWN)
    assert nobody.scope(action) == frozenset()


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_two_grants_union_their_offices(action: Action):
    """A user holding 客服员@A and 管理处主任@B may act where either grant allows, nowhere else."""
    actor = actor_with(Grant(Role.CLERK, OWN), Grant(Role.OFFICE_DIRECTOR, OTHER))
    expected = set()
    if Role.CLERK in MATRIX[action]:
        expected.add(OWN)
    if Role.OFFICE_DIRECTOR in MATRIX[action]:
        expected.add(OTHER)
    assert actor.scope(action) == frozenset(expected)
    assert actor.can(action, OWN) is (OWN in expected)
    assert actor.can(action, OTHER) is (OTHER in expected)
    assert actor.can(action, 303) is False


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_deputy_grants_count_only_for_delegable_actions(action: Action):
    """A deputy (代理) borrows the principal's grants for delegable approvals only."""
    principal_role = next(iter(sorted(MATRIX[action]))) if MATRIX[action] else Role.SYSADMIN
    deputy = actor_with(delegated=(Grant(principal_role, OWN),))
    expected = action in DELEGABLE and principal_role in MATRIX[action]
    assert deputy.can(action, OWN) is expected


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
def test_guard_reaches_only_home_password_notices_gate_and_violations(action: Action):
    guard = actor_with(Grant(Role.GUARD, OWN))
    if not guard_may(action):
        assert not guard.can(action), f"保安 must not have {action.value}"


def test_guard_has_the_foundation_basics():
    guard = actor_with(Grant(Role.GUARD, OWN))
    assert all(guard.can(a, OWN) for a in GUARD_FOUNDATION)


def test_guard_menu_is_home_password_notices_only():
    from ui.nav import all_page_specs

    guard = actor_with(Grant(Role.GUARD, OWN))
    visible = {spec.path for spec in all_page_specs() if guard.can(spec.action)}
    foundation = {"views/home/home.py", "views/home/notices.py", "views/home/password.py"}
    assert foundation <= visible
    extra = {spec.path for spec in all_page_specs() if spec.path in visible - foundation and not guard_may(spec.action)}
    assert extra == set()


def test_full_id_numbers_are_for_few_roles():
    """PIPL: full ID numbers only for the roles that need them, never for the front line or the gate."""
    full = MATRIX[Action.ID_NUMBER_VIEW_FULL]
    assert Role.GUARD not in full and Role.CLERK not in full and Role.CONSULTANT not in full
    assert full <= MATRIX[Action.PEOPLE_VIEW]


def test_administration_is_sysadmin_only():
    for action in (Action.USER_MANAGE, Action.ORG_MANAGE, Action.POLICY_EDIT):
        assert MATRIX[action] == frozenset({Role.SYSADMIN}), action
