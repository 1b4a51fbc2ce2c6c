"""Roles, office scope and deputies as the rules see them."""

from __future__ import annotations

from core.permissions import DELEGABLE, MATRIX, Action, Actor, Grant
from core.roles import COMPANY_WIDE_ROLES, ROLE_LABELS, Role


def test_every_action_has_a_matrix_row_and_every_role_a_label():
    assert set(MATRIX) == set(Action)
    assert set(ROLE_LABELS) == set(Role)


def test_office_roles_are_scoped_to_their_office_and_hq_roles_see_all():
    clerk = Actor(1, "c", "c", (Grant(Role.CLERK, 10),))
    assert clerk.can(Action.PEOPLE_VIEW, 10) and not clerk.can(Action.PEOPLE_VIEW, 11)
    assert clerk.scope(Action.PEOPLE_VIEW) == frozenset({10})
    hq = Actor(2, "h", "h", (Grant(Role.HQ_SPECIALIST, 1),))
    assert hq.scope(Action.PEOPLE_VIEW) is None and hq.can(Action.PEOPLE_VIEW, 11)
    assert Role.HQ_SPECIALIST in COMPANY_WIDE_ROLES


def test_several_role_office_pairs_combine():
    both = Actor(3, "b", "b", (Grant(Role.RECORDS_OFFICER, 10), Grant(Role.CLERK, 11)))
    assert both.can(Action.PEOPLE_MANAGE, 10) and not both.can(Action.PEOPLE_MANAGE, 11)
    assert both.scope(Action.PEOPLE_VIEW) == frozenset({10, 11})


def test_guard_sees_only_personal_pages_in_the_foundation():
    guard = Actor(4, "g", "g", (Grant(Role.GUARD, 10),))
    foundation_personal = {Action.HOME_VIEW, Action.PASSWORD_CHANGE_OWN, Action.NOTICE_VIEW_OWN}
    allowed = {a for a in Action if guard.can(a)}
    assert foundation_personal <= allowed
    assert not allowed & {Action.USER_MANAGE, Action.ORG_VIEW, Action.PEOPLE_VIEW, Action.POLICY_VIEW, Action.AUDIT_VIEW}


def test_deputy_gets_only_delegable_approvals():
    director = Grant(Role.OFFICE_DIRECTOR, 10)
    deputy = Actor(5, "d", "d", (Grant(Role.CLERK, 10),), delegated=(director,))
    assert not deputy.can(Action.ID_NUMBER_VIEW_FULL, 10)  # not an approval: never delegated
    for action in DELEGABLE:
        assert deputy.can(action, 10) == (Role.OFFICE_DIRECTOR in MATRIX[action] or Role.CLERK in MATRIX[action])
