"""All models, imported here so that Alembic and the app see the whole schema."""
from workflow.models.api_tokens import ApiToken  # noqa: F401
from workflow.models.audit import AuditRecord  # noqa: F401
from workflow.models.calendar import OfficeDayOff  # noqa: F401
from workflow.models.delegations import Delegation  # noqa: F401
from workflow.models.departments import DepartmentTask, department_task_projects  # noqa: F401
from workflow.models.content import (  # noqa: F401
    Attachment,
    FindingNote,
    FundingRow,
    Indicator,
    NarrativeSection,
    ReviewComment,
    Snapshot,
)
from workflow.models.evaluations import Evaluation, Project  # noqa: F401
from workflow.models.frameworks import PlanIndicator, PlanReportSection  # noqa: F401
from workflow.models.library import LibraryIndicator  # noqa: F401
from workflow.models.meetings import Meeting, MeetingAttachment, MeetingInvitee, MeetingSignin  # noqa: F401
from workflow.models.monitoring import IndicatorProgress, MonitoringDate, MonitoringReport  # noqa: F401
from workflow.models.notifications import Notification  # noqa: F401
from workflow.models.outbox import OutboxMessage  # noqa: F401
from workflow.models.password_links import PasswordLink  # noqa: F401
from workflow.models.opinions import ReviewOpinion  # noqa: F401
from workflow.models.people import Section, User, UserRole  # noqa: F401
from workflow.models.plans import Plan, PlanMember, Stage  # noqa: F401
from workflow.models.rendered import RenderedDocument  # noqa: F401
from workflow.models.security import LoginFailure  # noqa: F401
from workflow.models.sessions import UserSession  # noqa: F401
from workflow.models.submissions import Rectification, Submission, SubmissionItem  # noqa: F401
from workflow.models.targets import TargetChange  # noqa: F401
from workflow.models.tasks import ReminderLog, Task  # noqa: F401
