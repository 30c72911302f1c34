from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import Site, Survey
from tests.factories import make_site, make_survey
from tests.respond.helpers import Respondent

EN_DE = ("en", "de")


def customer_questions() -> list[dict[str, Any]]:
    """Every customer question type over three pages, with same-page and cross-page conditions."""

    def t(label: str, de: str | None = None, **more: Any) -> dict[str, Any]:
        texts: dict[str, Any] = {"en": {"label": label, **more}}
        if de:
            texts["de"] = {"label": de}
        return texts

    return [
        {"key": "nps", "type": "nps", "required": True, "page": 1,
         "texts": t("How likely are you to recommend us?", "Wie wahrscheinlich empfehlen Sie uns?")},
        {"key": "csat", "type": "csat", "page": 1, "texts": t("How satisfied are you?")},
        {"key": "ces", "type": "ces", "page": 1, "texts": t("How easy was it?")},
        {"key": "stars", "type": "rating", "page": 1, "settings": {"min": 1, "max": 5, "style": "star"},
         "texts": t("Rate our delivery")},
        {"key": "agree", "type": "likert", "page": 1, "texts": t("The staff were friendly")},
        {"key": "grid", "type": "matrix", "page": 2, "settings": {"statements": ["speed", "price"]},
         "texts": {"en": {"label": "How far do you agree?",
                          "statements": {"speed": "Delivery was fast", "price": "The price was fair"}}}},
        {"key": "channel", "type": "single_choice", "required": True, "page": 2,
         "options": ["web", "phone", "store"],
         "texts": t("How did you order?", options={"web": "Website", "phone": "Phone", "store": "In a store"})},
        {"key": "heard", "type": "multiple_choice", "page": 2, "options": ["friend", "ad"],
         "settings": {"allow_other": True},
         "texts": t("Where did you hear of us?", options={"friend": "A friend", "ad": "An advert"})},
        {"key": "contacted", "type": "yes_no", "page": 2, "texts": t("Did we contact you afterwards?")},
        {"key": "contact_how", "type": "short_text", "page": 2, "required": True,
         "condition": {"question": "contacted", "in": ["yes"]}, "texts": t("How did we contact you?")},
        {"key": "why", "type": "long_text", "page": 3, "settings": {"max_length": 60},
         "texts": t("What is the main reason for your score?")},
        {"key": "detractor", "type": "long_text", "page": 3, "required": True,
         "condition": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]},
         "texts": t("What should we fix first?")},
        {"key": "consent", "type": "consent", "page": 3, "texts": t("You may contact me about my answers")},
    ]


def worker_questions() -> list[dict[str, Any]]:
    return [
        {"key": "site", "type": "site", "required": True, "texts": {"en": {"label": "Where are you?"}}},
        {"key": "department", "type": "department", "texts": {"en": {"label": "Your department"}}},
        {"key": "hazard", "type": "long_text", "required": True, "settings": {"max_length": 2000},
         "texts": {"en": {"label": "What is unsafe?"}, "de": {"label": "Was ist unsicher?"}}},
        {"key": "severity", "type": "single_choice", "options": ["low", "high"], "required": True,
         "texts": {"en": {"label": "How serious is it?", "options": {"low": "Low", "high": "High"}}}},
    ]


@pytest.fixture()
def customer_survey(db_session: Session) -> Survey:
    return make_survey(db_session, customer_questions(), audience="customer", languages=list(EN_DE),
                       texts={"en": {"title": "Tell us how we did", "thanks": "Thanks a lot!"},
                              "de": {"title": "Wie war es?"}})


@pytest.fixture()
def site(db_session: Session) -> Site:
    return make_site(db_session, name="Plant North")


@pytest.fixture()
def worker_survey(db_session: Session, site: Site) -> Survey:
    make_site(db_session, name="Plant South")
    return make_survey(db_session, worker_questions(), audience="worker", languages=list(EN_DE),
                       texts={"en": {"title": "Report a hazard"}})


@pytest.fixture()
def respondent(client: FlaskClient) -> Respondent:
    return Respondent(client)


@pytest.fixture()
def csrf_app(settings: Any, session_factory: Any) -> Any:
    """The app as deployed: CSRF on (the shared `app` fixture turns it off)."""
    from survey_app import create_app
    from survey_app.extensions import db

    application = create_app({"TESTING": True}, settings=settings)
    db.state(application).sessionmaker = session_factory
    return application
