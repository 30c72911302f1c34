"""Test helpers for respondent pages: row factories for links, and a respondent driving the HTML form."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from models import Invitation, Site, SiteLink, Survey
from survey_app.respond.tokens import invitation_token_hash, new_invitation_token

_seq = itertools.count(1)


def make_invitation(
    session: Session, survey: Survey, expires_at: datetime | None = None, **kw: Any
) -> tuple[Invitation, str]:
    token = new_invitation_token()
    inv = Invitation(survey_id=survey.id, token_hash=invitation_token_hash(token), expires_at=expires_at, **kw)
    session.add(inv)
    session.flush()
    return inv, token


def make_site_link(session: Session, survey: Survey, site: Site, code: str | None = None) -> SiteLink:
    link = SiteLink(survey_id=survey.id, site_id=site.id, code=code or f"qr-{next(_seq)}")
    session.add(link)
    session.flush()
    return link


class _FormParser(HTMLParser):
    """Collects what a browser would post for the respondent form as it is shown (no buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.values: list[tuple[str, str]] = []
        self.in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "respond-form":
            self.in_form, self.action = True, a.get("action")
        if not self.in_form or (tag not in ("input", "textarea", "select", "option")):
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "hidden":
                self.hidden[name] = a.get("value", "")
            elif kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.values.append((name, a.get("value", "on")))
            else:
                self.values.append((name, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            self.values.append((name, ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, text = self.values[-1]
            self.values[-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


class Respondent:
    """Answers a survey like a browser without JavaScript: GET a link, then POST each page's form."""

    def __init__(self, client: FlaskClient, remote_addr: str = "127.0.0.1") -> None:
        self.client = client
        self.environ = {"REMOTE_ADDR": remote_addr}
        self.page: TestResponse | None = None
        self.form = _FormParser()

    @property
    def html(self) -> str:
        assert self.page is not None
        return self.page.get_data(as_text=True)

    def _remember(self, resp: TestResponse) -> TestResponse:
        self.page = resp
        if 'id="respond-form"' in resp.get_data(as_text=True):
            self.form = _FormParser()
            self.form.feed(resp.get_data(as_text=True))
        return resp

    def open(self, url: str, **kw: Any) -> TestResponse:
        kw.setdefault("environ_base", self.environ)
        return self._remember(self.client.get(url, **kw))

    def submit(self, answers: dict[str, Any] | None = None, nav: str = "next", **extra: Any) -> TestResponse:
        assert self.form.action, "no respondent form on the last page"
        data: dict[str, Any] = dict(self.form.hidden)
        for name, value in self.form.values:  # what the page shows is posted back, like a browser does
            if isinstance(data.get(name), list):
                data[name].append(value)
            elif name in data and name not in self.form.hidden:
                data[name] = [data[name], value]
            else:
                data[name] = value
        data.update({"nav": nav, **extra})
        for key, value in (answers or {}).items():
            data[key if key.startswith(("q-", "homepage", "switch_lang")) else f"q-{key}"] = value
        return self._remember(self.client.post(self.form.action, data=data, environ_base=self.environ))

    def follow(self) -> TestResponse:
        """Follow the redirect just answered (Post/Redirect/Get), as a browser does."""
        assert self.page is not None and self.page.status_code in (302, 303), "no redirect to follow"
        return self.open(self.page.headers["Location"])


def page_number(html: str) -> tuple[int, int] | None:
    m = re.search(r"Page (\d+) of (\d+)", html)
    return (int(m.group(1)), int(m.group(2))) if m else None
