"""Logging in and out, login cards, one's own account, and the language switch."""

from __future__ import annotations

import time
from datetime import date

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from governance import permissions
from governance.errors import DomainError, TooManyAttempts
from governance.extensions import db
from governance.people import second_factor as totp
from governance.people import services
from governance.people.auth import fresh_session
from governance.people.forms import (
    ROLE_LABELS,
    CardLoginForm,
    ChangePasswordForm,
    ChoosePinForm,
    CodeForm,
    LanguageForm,
    LoginForm,
)
from governance.people.models import Person, QuorumKind, SecretKind
from governance.web import form_status, reads_first, render, safe_next, save

bp = Blueprint("people", __name__, template_folder="templates")


@bp.app_context_processor
def _kinds() -> dict[str, object]:
    return {"QuorumKind": QuorumKind, "SecretKind": SecretKind}


LANGUAGE_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


KNOWN_DEVICE_COOKIE = "known"  # the accounts that logged in on this device (signed)
KNOWN_DEVICE_MAX = 8  # a shared tablet at the caisse's counter


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def known_ids() -> frozenset[int]:
    """The accounts this device has logged in before: the address throttle lets them through."""
    raw = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return frozenset()
    try:
        ids = _device_signer().loads(raw, max_age=ONE_YEAR)
    except BadData:
        return frozenset()
    return frozenset(i for i in ids if isinstance(i, int)) if isinstance(ids, list) else frozenset()


def _remember_device(person_id: int) -> None:
    ids = [person_id, *[i for i in known_ids() if i != person_id]][:KNOWN_DEVICE_MAX]

    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(
            KNOWN_DEVICE_COOKIE,
            _device_signer().dumps(ids),
            max_age=ONE_YEAR,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        )
        return response


def _log_in(person: Person) -> None:
    """A fresh cookie session with a new login session token: nothing survives from before."""
    fresh_session()
    services.start_login_session(person, request.headers.get("User-Agent", ""))
    login_user(person)
    _remember_device(person.id)


PENDING = "pending_second_factor"  # in the cookie session: who passed the password, when, next
ENROL = permissions.ENROL_SECOND_FACTOR  # logged in, must set up the app before anything else
CANDIDATE = "second_factor_candidate"  # the secret shown for enrolment, until confirmed
PENDING_S = 5 * 60


def _after_first_factor(person: Person, target: str) -> Response:
    """Password (or card) accepted: whoever set up an app gives its code; admins and
    treasurers who have not yet set one up do it before anything else."""
    if person.totp_secret:
        db.session.commit()  # the attempt is recorded; nobody is logged in yet
        session[PENDING] = {"id": person.id, "at": int(time.time()), "next": target}
        return redirect(url_for("people.second_factor"))
    _log_in(person)
    if totp.needs_second_factor(person):
        session[ENROL] = True
        db.session.commit()
        return redirect(url_for("people.second_factor_setup", next=target))
    db.session.commit()
    return redirect(target)


def _refuse(form_field, error: DomainError) -> int:  # type: ignore[no-untyped-def]
    """Keep the attempt record, show the refusal on the field, and tell which status to send."""
    db.session.commit()
    form_field.errors = [*form_field.errors, str(error.message)]
    return 429 if isinstance(error, TooManyAttempts) else 422


@bp.route("/connexion", methods=["GET", "POST"])
@reads_first
def login() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.next_for_me"))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            person = services.authenticate(
                form.identifier.data, form.secret.data, client_address(), known_ids()
            )
        except DomainError as error:
            status = _refuse(form.secret, error)
        else:
            return _after_first_factor(
                person, safe_next(form.next.data, url_for("home.next_for_me"))
            )
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
            return _after_first_factor(person, url_for("people.choose_pin"))
    return render(
        "people/card_login.html", block="form", form=form, status=max(status, form_status(form))
    )


@bp.route("/connexion/code", methods=["GET", "POST"])
def second_factor() -> Response:
    """Second step of an admin's or treasurer's login: the code of their authenticator app."""
    pending = session.get(PENDING)
    person = db.session.get(Person, pending["id"]) if isinstance(pending, dict) else None
    if person is None or time.time() - pending["at"] > PENDING_S or not person.active:
        session.pop(PENDING, None)
        flash(_("Please log in again: the code was not given in time."), "info")
        return redirect(url_for("people.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            totp.check_code(person, form.code.data, client_address())
        except DomainError as error:
            status = _refuse(form.code, error)
        else:
            _log_in(person)
            session[permissions.SECOND_FACTOR_GIVEN] = True
            db.session.commit()
            return redirect(safe_next(pending.get("next"), url_for("home.next_for_me")))
    return render(
        "people/second_factor.html", block="form", form=form, status=max(status, form_status(form))
    )


@bp.route("/compte/double-verification", methods=["GET", "POST"])
def second_factor_setup() -> Response:
    """Enrol an authenticator app: scan the QR code (or type the key), then give one code."""
    target = safe_next(request.args.get("next"), url_for("home.next_for_me"))
    if current_user.totp_secret and not session.get(ENROL):
        return render("people/second_factor_setup.html", enrolled=True, target=target)
    secret = session.get(CANDIDATE) or totp.new_secret()
    session[CANDIDATE] = secret
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            totp.enrol(current_user, secret, form.code.data, client_address())
        except DomainError as error:
            status = _refuse(form.code, error)
        else:
            db.session.commit()
            session.pop(CANDIDATE, None)
            session.pop(ENROL, None)
            session[permissions.SECOND_FACTOR_GIVEN] = True
            flash(_("Your app is set up: you will give its code each time you log in."), "success")
            return redirect(target)
    uri = totp.provisioning_uri(current_user, secret)
    return render(
        "people/second_factor_setup.html",
        form=form,
        enrolled=False,
        target=target,
        qr=totp.qr_data_uri(uri),
        key=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        status=max(status, form_status(form)),
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
    fresh_session()
    db.session.commit()
    flash(_("You are logged out. See you soon!"), "success")
    return redirect(url_for("public.home"))


@bp.route("/compte/code", methods=["GET", "POST"])
@reads_first
def choose_pin() -> Response:
    """Right after a login card only: any other change of a secret gives the current one."""
    if not current_user.must_choose_pin:
        return redirect(url_for("people.change_password"))
    form = ChoosePinForm()
    if form.validate_on_submit() and save(
        form, lambda: services.set_pin(current_user, form.pin.data)
    ):
        flash(
            _(
                "Your code is saved. To log in next time, type your username "
                "%(username)s and this code.",
                username=current_user.username,
            ),
            "success",
        )
        return redirect(url_for("home.next_for_me"))
    return render("people/choose_pin.html", block="form", form=form, status=form_status(form))


@bp.get("/compte")
def account() -> Response:
    today = date.today()
    memberships = [m for m in current_user.memberships if m.is_current(today)]
    return render("people/account.html", memberships=memberships, role_labels=ROLE_LABELS)


@bp.get("/compte/mes-donnees.json")
def my_data() -> Response:
    """A copy of everything held about the signed-in person (GDPR, right of access)."""
    from flask import json

    from governance.people import privacy

    response = current_app.response_class(
        json.dumps(privacy.export(current_user), ensure_ascii=False, indent=2),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = 'attachment; filename="mes-donnees-tablee.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@reads_first
def change_password() -> Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        person = current_user._get_current_object()
        try:
            right = services.change_own_password(
                person, form.current.data, form.new.data, client_address()
            )
        except DomainError as error:
            if error.field == "password":  # the new one: the current one was right
                form.new.errors = [str(error.message)]
                return render("people/change_password.html", block="form", form=form, status=422)
            status = _refuse(form.current, error)
            return render("people/change_password.html", block="form", form=form, status=status)
        if not right:
            db.session.commit()  # the failure counts
            form.current.errors = [_("This is not your current password or code.")]
        else:
            # Other devices must log in again with the new password.
            services.end_all_login_sessions(person)
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
    _remember_language(response, form.lang.data)
    return response


@bp.get("/langue/<lang>")
def choose_language(lang: str) -> Response:
    """The switch a visitor without an account follows: a plain link that only sets the
    long-lived language cookie (no session, no CSRF token), so that public pages can be shared
    by caches. A member uses the form above, which also keeps the choice on their account."""
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_next(request.args.get("next"), url_for("public.home")))
    _remember_language(response, lang)
    return response


def _remember_language(response: Response, lang: str) -> None:
    """A year-long cookie, with the same flags as the session's (Secure where it is)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        lang,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )
