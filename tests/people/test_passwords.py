"""Password hashing: OWASP's Argon2id minimum in production, and old hashes redone at login."""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters
from flask import Flask

from governance.config import defaults
from governance.people import services
from tests import factories


def test_production_parameters_meet_owasp_minimum(tmp_path) -> None:
    settings = defaults(str(tmp_path))
    hasher = PasswordHasher(
        time_cost=settings["PASSWORD_HASH_TIME_COST"],
        memory_cost=settings["PASSWORD_HASH_MEMORY_KIB"],
        parallelism=settings["PASSWORD_HASH_PARALLELISM"],
    )
    parameters = extract_parameters(hasher.hash("un mot de passe assez long"))
    # OWASP's password storage cheat sheet: Argon2id, m ≥ 19 MiB with t ≥ 2 and p = 1.
    assert parameters.type.name == "ID"
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2
    assert parameters.parallelism == 1


def test_a_costlier_old_hash_is_redone_at_login(app: Flask) -> None:
    person = factories.person(password=None)
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
    person.secret_hash = old.hash("ancien mot de passe")
    person.secret_kind = services.SecretKind.PASSWORD

    assert services.verify_secret(person, "ancien mot de passe")

    redone = extract_parameters(person.secret_hash)
    assert redone.memory_cost == app.config["PASSWORD_HASH_MEMORY_KIB"]
    assert services.verify_secret(person, "ancien mot de passe")
    assert not services.verify_secret(person, "un autre")
