"""The admin blueprint, in a module of its own: view modules import it, the package imports them."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
