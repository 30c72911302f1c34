"""Extensions created unbound here and bound to an app in `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_wtf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from models.db import make_engine, make_session_factory

csrf = CSRFProtect()


@dataclass
class _DbState:
    engine: Engine
    sessionmaker: sessionmaker[Session]


class Database:
    """One SQLAlchemy session per request, closed (rolled back if uncommitted) at teardown."""

    key = "heedful.db"

    def init_app(self, app: Flask, url: str) -> None:
        engine = make_engine(url)
        app.extensions[self.key] = _DbState(engine, make_session_factory(engine))
        app.teardown_appcontext(self._close)

    def state(self, app: Flask | None = None) -> _DbState:
        state: _DbState = (app or current_app).extensions[self.key]
        return state

    @property
    def engine(self) -> Engine:
        return self.state().engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.state().sessionmaker()
        session: Session = g.db_session
        return session

    def _close(self, _exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        try:
            session.close()
        except DBAPIError as exc:
            # The server went away after the response was made (restart, failover): closing rolls back
            # on a dead connection. SQLAlchemy has already invalidated it; the response stands.
            if not exc.connection_invalidated:
                raise
            current_app.logger.warning("database connection lost while closing the request's session")


db = Database()
