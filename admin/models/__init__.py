"""The data model. Every table is imported here so Alembic and ``db.create_all`` see it."""

from .audit import AuditEntry
from .auth import ApiToken, ConsoleSession, LoginAttempt, User
from .devices import Kiosk, PairingCode, Screen
from .feedback import RatingPrompt, Suggestion
from .display import Playlist, PushCounter, PushGroup, Schedule, ScreenGroup
from .hall import Department, Standard, Window, window_service_items
from .notice import Notice
from .people import Honor, Pledge, Staff
from .rating import Rating
from .setting import Setting
from .stats import RatingDaily, RatingMonthly, RatingReasonDaily
from .ledger import CalendarDay, RatingAppeal, Rectification, RectificationEvent
from .reviews import Review, ReviewRound
from .integration import OutboxEvent, WebhookDelivery, WebhookEndpoint
from .jobs import JobRun
from .surveys import Survey, SurveyInvitation, SurveyResponse
from .wishes import Wish
from .symposiums import Supervisor, Symposium, SymposiumProblem
from .campaign import CampaignPhase, PerformanceEntry, Reminder, SkillResult, leader_departments

__all__ = [
    "ApiToken", "AuditEntry", "ConsoleSession", "Department", "Honor", "Kiosk", "LoginAttempt", "Notice", "PairingCode",
    "Playlist", "Pledge", "PushCounter", "PushGroup", "Rating", "RatingPrompt", "Schedule", "Screen", "ScreenGroup", "Setting", "Staff", "Standard", "Suggestion", "User", "Window", "window_service_items",
    "CalendarDay", "CampaignPhase", "PerformanceEntry", "RatingAppeal", "RatingDaily", "RatingMonthly", "RatingReasonDaily",
    "Rectification", "RectificationEvent", "Reminder", "Review", "ReviewRound", "SkillResult", "Survey", "SurveyInvitation",
    "SurveyResponse", "Supervisor", "Symposium", "SymposiumProblem", "Wish", "leader_departments",
    "OutboxEvent", "WebhookDelivery", "WebhookEndpoint", "JobRun",
]
