"""kiemtra's data model: typed SQLAlchemy 2 models, one aggregate per module."""

from flask_sqlalchemy import SQLAlchemy

from models.api_token import ApiToken
from models.audit import AuditEntry
from models.base import Base
from models.calendar_day import CalendarDay
from models.correction import CorrectionChange, CorrectionNotice, VisitCorrection
from models.directive import Directive, ReportBackText, directive_citation, directive_finding
from models.form_token import SpentFormToken
from models.issued_document import DocumentCounter, IssuedDocument, IssuedFile
from models.legal_document import LegalDocument
from models.login_attempt import LoginAttempt, LoginSession  # noqa: F401 - re-exported
from models.news import NewsPost
from models.news_image import NewsImage as NewsImage  # re-exported
from models.notification import JobRun, Notification
from models.organization import Organization
from models.person import Person
from models.recurrence import Recurrence, recurrence_coordinator
from models.task import Attachment, DeadlineExtension, Task, TaskEvent, task_coordinator
from models.task_count import TaskCount, TaskCountAll, TaskCountDay, TaskTrend
from models.user import User
from models.visit import DelegationMember, Finding, Visit

db = SQLAlchemy(model_class=Base)

__kiemtra__ = True  # this is kiemtra's models package (app.check_own_packages)

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "Base",
    "CalendarDay",
    "CorrectionChange",
    "CorrectionNotice",
    "DeadlineExtension",
    "DelegationMember",
    "Directive",
    "DocumentCounter",
    "Finding",
    "IssuedDocument",
    "IssuedFile",
    "JobRun",
    "LegalDocument",
    "NewsPost",
    "Notification",
    "Organization",
    "Person",
    "Recurrence",
    "ReportBackText",
    "SpentFormToken",
    "Task",
    "TaskCount",
    "TaskCountAll",
    "TaskCountDay",
    "TaskEvent",
    "TaskTrend",
    "User",
    "Visit",
    "VisitCorrection",
    "db",
    "directive_citation",
    "directive_finding",
    "recurrence_coordinator",
    "task_coordinator",
]
