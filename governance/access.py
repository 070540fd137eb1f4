"""Who may act on what, declared next to each route (in the manner of Indico's ``_check_access``
and Warehouse's view permissions).

A route that acts on something the URL names declares it::

    @bp.post("/<int:meeting_id>/points")
    @access(MEETING, rule=policy.can_run_meeting)
    def item_add(meeting: Meeting) -> Response: ...

``MEETING`` is a :class:`Loader`: it reads the object from the URL's values, and its ``see`` rule
says who may know it exists (404 for anyone else, missing or not). ``rule`` is one plain
function ``(person, obj) -> bool`` of the domain's policy module (403 when it says no). The view
receives the object, never the id, so it cannot act on it without the check having run. A route
that acts on no one object declares ``@access(rule=...)``: the rule gets ``None``.

Templates ask the same rules by name: ``can("run_meeting", meeting)``. Endpoints the table marks
``IN_GROUP`` are refused unless they carry a declaration (see ``permissions._guard``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, g
from flask_login import current_user

Rule = Callable[[Any, Any], bool]

# name → rule, for templates (``can``) and for the tests that try every rule.
RULES: dict[str, Rule] = {}


def rule(function: Rule) -> Rule:
    """Register a policy function under its name (``run_meeting`` for ``can_run_meeting``)."""
    name = function.__name__.removeprefix("can_")
    if name in RULES and RULES[name] is not function:
        raise ValueError(f"two rules named {name}")
    RULES[name] = function
    return function


@dataclass
class Loader:
    """What a URL names: ``fetch(**url values)`` reads it (None when missing), ``see`` says
    whether the person may know it exists, ``arg`` is the view's parameter that receives it."""

    arg: str
    fetch: Callable[..., Any]
    see: Rule | None = None


@dataclass
class Declaration:
    loader: Loader | None
    rule: Rule | None


def access(
    loader: Loader | None = None, *, rule: Rule | None = None, keep: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare what the route acts on and who may act on it (see the module's docstring).
    ``keep`` names the URL values the view still receives besides the object."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        declaration = Declaration(loader, rule)
        ids = set(_ids(loader))

        @functools.wraps(view)
        def wrapper(**values: Any) -> Any:
            person = current_user._get_current_object()
            target = None
            if declaration.loader is not None:
                target = declaration.loader.fetch(**{k: values[k] for k in ids if k in values})
                see = declaration.loader.see
                if target is None or (see is not None and not see(person, target)):
                    abort(404)
            if declaration.rule is not None and not declaration.rule(person, target):
                abort(403)
            if declaration.loader is None:
                return view(**values)
            rest = {k: v for k, v in values.items() if k not in ids or k in keep}
            return view(**rest, **{declaration.loader.arg: target})

        wrapper.access = declaration  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _ids(loader: Loader | None) -> list[str]:
    if loader is None:
        return []
    return list(inspect.signature(loader.fetch).parameters)


def declaration_of(app: Flask, endpoint: str) -> Declaration | None:
    view = app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def can(name: str, target: Any = None) -> bool:
    """For templates: does the current person pass this rule on this object? Asked once per
    request for each (rule, object)."""
    if not current_user.is_authenticated and name not in PUBLIC_RULES:
        return False
    asked = g.setdefault("can_asked", {})
    key = (name, type(target).__name__, getattr(target, "id", None))
    if key not in asked:
        asked[key] = RULES[name](current_user._get_current_object(), target)
    return bool(asked[key])


# Rules that mean something for a visitor (published minutes): asked even when nobody is in.
PUBLIC_RULES = {"read_minutes"}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(can=can)
