"""Pages anyone can read without an account."""

from __future__ import annotations

from flask import Blueprint
from werkzeug.wrappers import Response

from governance.web import render

bp = Blueprint("public", __name__, template_folder="templates")


@bp.get("/")
def home() -> Response:
    return render("public/home.html")
