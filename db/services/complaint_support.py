"""Compatibility names for callers written before the complaint split (issue 9 §3); new code imports the feature
modules (``complaint_consult``, ``complaint_groups``). Only tests/db/test_authz_enforced.py, owned by the
office-scope change, still imports this module: delete it when that test imports the feature modules.
"""

from db.services.complaint_consult import consultant_user_choices, my_consult_requests, save_consultant
from db.services.complaint_groups import group_choices

__all__ = ["consultant_user_choices", "group_choices", "my_consult_requests", "save_consultant"]
