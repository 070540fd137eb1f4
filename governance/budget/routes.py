"""The budget blueprint. Its pages arrive with the issue that builds this domain."""

from flask import Blueprint

bp = Blueprint("budget", __name__, url_prefix="/budget")
