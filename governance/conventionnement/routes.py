"""The conventionnement blueprint. Its pages arrive with the issue that builds this domain."""

from flask import Blueprint

bp = Blueprint("conventionnement", __name__, url_prefix="/conventionnement")
