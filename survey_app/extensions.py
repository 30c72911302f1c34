"""Extensions created unbound here and bound to an app in `create_app`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, g
from flask_wtf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.db import begin_mode, make_engine, make_session_factory, reset_begin_mode, set_begin_mode

csrf = CSRFProtect()


class DatabaseBusy(Exception):
    """A write found the database locked past its wait, restarting or unreachable: nothing of it was kept.

    What the user sent is still in hand (and the objects passed to `read_then_write(keep=...)` still
    loaded), so the page can be shown again for them to send it a minute later.
    """


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

    def reads_first(self, bp: Blueprint) -> None:
        """Requests of `bp` read without SQLite's write lock and write only through `read_then_write`.

        Their transactions begin DEFERRED: reads take no lock (WAL readers see a snapshot) and never
        wait for a writer while the page is worked out.
        """

        @bp.before_request
        def _begin_deferred() -> None:
            g.heedful_begin_token = set_begin_mode("DEFERRED")

        @bp.teardown_request
        def _restore_begin_mode(_exc: BaseException | None) -> None:
            token = g.pop("heedful_begin_token", None)
            if token is not None:
                reset_begin_mode(token)

    @contextmanager
    def read_then_write(self, keep: tuple[object, ...] = ()) -> Iterator[Session]:
        """End the reads, then run the block as one short write transaction, committed when it ends.

        Everything before (lookups, validation) ran without the write lock, so a writer holds it only
        for its inserts and commit; what could change in between must be re-checked by the write itself
        (a conditional update, a unique key). On SQLite the read snapshot is ended first and the write
        begins IMMEDIATE (in the write queue); PostgreSQL has no such lock, so there the reads simply
        carry on into the write, which saves a COMMIT, a BEGIN and a pool check-out per submission.

        Raises DatabaseBusy, rolled back, when the database is locked too long or went away. The objects
        in `keep` are detached first, so that rollback does not expire them: they can still be shown.
        """
        session = self.session
        try:
            if session.get_bind().dialect.name == "sqlite":
                session.commit()  # read-only so far; expire_on_commit=False keeps what was loaded
            for obj in keep:
                if obj in session:  # a second write in the same request finds it detached already
                    session.expunge(obj)
            with begin_mode("IMMEDIATE"):
                yield session
                session.commit()
        except (OperationalError, InterfaceError) as exc:
            self._rollback_quietly(session)
            raise DatabaseBusy(str(exc.orig or exc)) from exc
        except BaseException:
            self._rollback_quietly(session)
            raise

    @staticmethod
    def _rollback_quietly(session: Session) -> None:
        try:
            session.rollback()
        except SQLAlchemyError:
            pass  # the connection is already gone; closing the session at teardown discards it

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
