"""SQLAlchemy models for Heedful, one module per aggregate. Importing this package registers them all."""

from models.account import LoginThrottle, UserSession
from models.action import Complaint, CorrectiveAction, Objective, action_reports
from models.alert import Alert
from models.analysis import TextAnalysis, Theme, TopicTag
from models.audit import AuditEntry
from models.base import Base
from models.correction import AnalysisCorrection, CorrectionTopic
from models.distribution import Invitation, SiteLink
from models.org import Department, Site
from models.pipeline import PipelineRun, SchedulerLease
from models.response import Answer, Response
from models.survey import Question, Survey, Taxonomy
from models.trend import TrendDirty, TrendRow
from models.user import ApiToken, User

__all__ = [
    "Alert",
    "AnalysisCorrection",
    "Answer",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Complaint",
    "CorrectionTopic",
    "CorrectiveAction",
    "Department",
    "Invitation",
    "LoginThrottle",
    "Objective",
    "PipelineRun",
    "Question",
    "Response",
    "SchedulerLease",
    "Site",
    "SiteLink",
    "Survey",
    "Taxonomy",
    "TextAnalysis",
    "Theme",
    "TopicTag",
    "TrendDirty",
    "TrendRow",
    "User",
    "UserSession",
    "action_reports",
]
