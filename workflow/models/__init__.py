"""All models, imported here so that Alembic and the app see the whole schema."""
from workflow.models.people import Section, User, UserRole  # noqa: F401
from workflow.models.security import LoginFailure  # noqa: F401
