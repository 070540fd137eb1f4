"""The sessions blueprint. Its pages arrive with the issue that builds this domain."""

from flask import Blueprint

bp = Blueprint("sessions", __name__, url_prefix="/sessions")
