"""ORM models, one module per aggregate. Importing this package registers every table."""

from pyrewatch.db.models.annotations import (
    AnnotationConfig,
    DocumentAnnotation,
    ProjectAnnotationConfig,
    ProjectSessionAnnotation,
    TraceAnnotation,
)
from pyrewatch.db.models.api_keys import ApiKey
from pyrewatch.db.models.audit import AuditEvent
from pyrewatch.db.models.datasets import (
    Dataset,
    DatasetExample,
    DatasetExampleRevision,
    DatasetLabel,
    DatasetLabelLink,
    DatasetSplit,
    DatasetSplitExample,
    DatasetVersion,
)
from pyrewatch.db.models.experiments import (
    Experiment,
    ExperimentExample,
    ExperimentRun,
    ExperimentRunAnnotation,
    ExperimentTag,
)
from pyrewatch.db.models.project_sessions import ProjectSession
from pyrewatch.db.models.prompts import Prompt, PromptVersion, PromptVersionTag
from pyrewatch.db.models.retention import ProjectRetentionPolicy
from pyrewatch.db.models.sessions import AccessToken, AuthSession, LoginFailure, PasswordResetToken, RefreshToken
from pyrewatch.db.models.tracing import Project, Span, SpanAnnotation, Trace
from pyrewatch.db.models.users import User

__all__ = [
    "AccessToken",
    "AnnotationConfig",
    "ApiKey",
    "AuditEvent",
    "Dataset",
    "DatasetExample",
    "DatasetExampleRevision",
    "DatasetLabel",
    "DatasetLabelLink",
    "DatasetSplit",
    "DatasetSplitExample",
    "DatasetVersion",
    "Experiment",
    "ExperimentExample",
    "ExperimentRun",
    "ExperimentRunAnnotation",
    "ExperimentTag",
    "AuthSession",
    "DocumentAnnotation",
    "LoginFailure",
    "PasswordResetToken",
    "Project",
    "Prompt",
    "PromptVersion",
    "PromptVersionTag",
    "ProjectAnnotationConfig",
    "ProjectRetentionPolicy",
    "ProjectSession",
    "ProjectSessionAnnotation",
    "RefreshToken",
    "Span",
    "SpanAnnotation",
    "Trace",
    "TraceAnnotation",
    "User",
]
