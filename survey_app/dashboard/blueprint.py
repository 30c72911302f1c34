"""The dashboard blueprint, in a module of its own: view modules import it, the package imports them."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
