"""The votes blueprint. Its pages arrive with the issue that builds this domain."""

from flask import Blueprint

bp = Blueprint("votes", __name__, url_prefix="/votes")
