"""SQLModel tables, one module per aggregate. Importing this package registers every table (Alembic)."""

from db.models.approval import ApprovalDecision, ApprovalRequest  # noqa: F401
from db.models.attachment import Attachment, AttachmentBlob  # noqa: F401
from db.models.audit import AuditLog, IdempotencyKey, NumberSequence  # noqa: F401
from db.models.auth import LoginAttempt, User, UserRole  # noqa: F401
from db.models.complaint import (  # noqa: F401
    Callback,
    Complaint,
    ComplaintFinding,
    ComplaintGradeHistory,
    ComplaintReport,
    ComplaintSpecialReport,
    Consultant,
    ConsultRequest,
    OnlinePost,
    SameIssueGroup,
)
from db.models.complaint_case import ComplaintCase  # noqa: F401
from db.models.complaint_disclosure import ComplaintDisclosure, ComplaintPublication  # noqa: F401
from db.models.complaint_stats import ComplaintStatsReport, ComplaintStatsVersion  # noqa: F401
from db.models.deposit import DepositAccount, DepositEntry  # noqa: F401
from db.models.duty import Duty  # noqa: F401
from db.models.jobs import JobRun  # noqa: F401
from db.models.notice import Notice  # noqa: F401
from db.models.org import Building, Department, OrgUnit, Property, Zone  # noqa: F401
from db.models.passes import AccessPass, PassRoom  # noqa: F401
from db.models.people import Customer, CustomerProperty, Staff  # noqa: F401
from db.models.policy import PolicyChange, PolicyHoliday, PolicyRevision  # noqa: F401
from db.models.reception import Contact  # noqa: F401  (issue 12, reception desk)
from db.models.timeline import RecordEvent  # noqa: F401
from db.models.visitor_incident import VisitorIncident  # noqa: F401
