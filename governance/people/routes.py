"""Logging in and out, login cards, one's own account, and the language switch."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from governance.errors import DomainError, TooManyAttempts
from governance.extensions import db
from governance.people import services
from governance.people.forms import (
    ROLE_LABELS,
    CardLoginForm,
    ChangePasswordForm,
    ChoosePinForm,
    LanguageForm,
    LoginForm,
)
from governance.people.models import Person
from governance.web import form_status, render, safe_next

bp = Blueprint("people", __name__, template_folder="templates")

LANGUAGE_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _log_in(person: Person) -> None:
    """A fresh cookie session with a new login session token: nothing survives from before."""
    lang = session.get("lang")
    session.clear()
    services.start_login_session(person, request.headers.get("User-Agent", ""))
    login_user(person)
    if lang:
        session["lang"] = lang


def _refuse(form_field, error: DomainError) -> int:  # type: ignore[no-untyped-def]
    """Keep the attempt record, show the refusal on the field, and tell which status to send."""
    db.session.commit()
    form_field.errors = [*form_field.errors, str(error.message)]
    return 429 if isinstance(error, TooManyAttempts) else 422


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("people.account"))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            person = services.authenticate(form.identifier.data, form.secret.data, client_address())
        except DomainError as error:
            status = _refuse(form.secret, error)
        else:
            _log_in(person)
            db.session.commit()
            return redirect(safe_next(form.next.data, url_for("people.account")))
    return render(
        "people/login.html", block="form", form=form, status=max(status, form_status(form))
    )


@bp.route("/carte", methods=["GET", "POST"])
def card_login() -> Response:
    form = CardLoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            person = services.redeem_login_card(form.code.data, client_address())
        except DomainError as error:
            status = _refuse(form.code, error)
        else:
            if current_user.is_authenticated:
                services.end_login_session(current_user.login_token)
                logout_user()
            _log_in(person)
            db.session.commit()
            return redirect(url_for("people.choose_pin"))
    return render(
        "people/card_login.html", block="form", form=form, status=max(status, form_status(form))
    )


@bp.get("/c/<code>")
def card_scan(code: str) -> Response:
    """Where the QR code leads: the code already filled in, one button to press (no GET login)."""
    form = CardLoginForm(code=services.normalize_card_code(code)[:20])
    return render("people/card_login.html", form=form, scanned=True)


@bp.post("/deconnexion")
def logout() -> Response:
    services.end_login_session(current_user.login_token)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    db.session.commit()
    flash(_("You are logged out. See you soon!"), "success")
    return redirect(url_for("public.home"))


@bp.route("/compte/code", methods=["GET", "POST"])
def choose_pin() -> Response:
    form = ChoosePinForm()
    if form.validate_on_submit():
        try:
            services.set_pin(current_user, form.pin.data)
        except DomainError as error:
            form.pin.errors = [*form.pin.errors, str(error.message)]
        else:
            db.session.commit()
            flash(
                _(
                    "Your code is saved. To log in next time, type your username "
                    "%(username)s and this code.",
                    username=current_user.username,
                ),
                "success",
            )
            return redirect(url_for("people.account"))
    return render("people/choose_pin.html", block="form", form=form, status=form_status(form))


@bp.get("/compte")
def account() -> Response:
    today = date.today()
    memberships = [m for m in current_user.memberships if m.is_current(today)]
    return render("people/account.html", memberships=memberships, role_labels=ROLE_LABELS)


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
def change_password() -> Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.verify_secret(current_user, form.current.data):
            form.current.errors = [_("This is not your current password or code.")]
        else:
            try:
                services.set_password(current_user, form.new.data)
            except DomainError as error:
                form.new.errors = [str(error.message)]
            else:
                # Other devices must log in again with the new password.
                services.end_all_login_sessions(current_user)
                person = current_user._get_current_object()
                services.start_login_session(person, request.headers.get("User-Agent", ""))
                login_user(person)
                db.session.commit()
                flash(_("Your password is changed. Your other devices are logged out."), "success")
                return redirect(url_for("people.account"))
    return render("people/change_password.html", block="form", form=form, status=form_status(form))


@bp.post("/langue")
def set_language() -> Response:
    form = LanguageForm()
    if not form.validate_on_submit():
        raise DomainError(_("This language is not available."))
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        current_user.locale = form.lang.data
        db.session.commit()
    response = redirect(safe_next(form.next.data, url_for("public.home")))
    response.set_cookie(
        LANGUAGE_COOKIE, form.lang.data, max_age=ONE_YEAR, samesite="Lax", httponly=True
    )
    return response


@bp.get("/langue/<lang>")
def choose_language(lang: str) -> Response:
    """The switch a visitor without an account follows: a plain link that only sets the
    long-lived language cookie (no session, no CSRF token), so that public pages can be shared
    by caches. A member uses the form above, which also keeps the choice on their account."""
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next"), url_for("public.home")))
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


from governance.people import admin_routes  # noqa: E402, F401  (registers the admin pages)
