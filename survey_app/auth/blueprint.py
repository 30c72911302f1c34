"""The auth blueprint, in a module of its own: view modules import it, the package imports them."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
