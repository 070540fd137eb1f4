"""The admin's draw from opening to confirmation, its public record, and bad input."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from governance.budget.models import Household
from governance.extensions import db
from governance.lottery import record as published
from governance.lottery.models import Candidate, Lottery, LotteryStatus
from governance.people.models import Membership, Role
from tests import factories

HEADER = (
    "name,username,adults,teens,children,income_bracket,age_band,household_kind,"
    "neighbourhood,gender\n"
)
AGES = ["18-34", "35-59", "60+"]
PLACES = ["Nord", "Sud"]


def households_csv(size: int = 14) -> str:
    lines = [
        f"Foyer {n},,{1 + n % 2},0,{n % 3},{n % 4},{AGES[n % 3]},"
        f"{'famille' if n % 3 else 'seule'},{PLACES[n % 2]},{['femme', 'homme', ''][n % 3]}"
        for n in range(1, size + 1)
    ]
    return HEADER + "\n".join(lines) + "\n"


def upload(client, lottery_id: int, content: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/tirages/{lottery_id}/candidats",
        data={
            "csrf_token": client.csrf_token(f"/tirages/{lottery_id}"),
            "upload": (io.BytesIO(content.encode()), "candidats.csv"),
        },
    )


def open_draw(client, places: int = 4, **extra: str) -> Lottery:  # type: ignore[no-untyped-def]
    data = {"title": "Entrée de nouveaux foyers", "purpose": "households", "group_id": "0"}
    data.update({"places": str(places), "method": "maximin", **extra})
    response = client.post_form("/tirages", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(Lottery).order_by(Lottery.id.desc())).first()


def quotas_form(lottery: Lottery, used: list[str], bounds: dict[str, list[tuple[str, str]]]):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"feature": used}
    for feature, rows in bounds.items():
        for index, (low, high) in enumerate(rows):
            data[f"min-{feature}-{index}"] = low
            data[f"max-{feature}-{index}"] = high
    return data


@pytest.fixture
def admin(client):  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.ADMIN))
    return client


def test_the_whole_draw_of_households(admin, app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lottery = open_draw(admin)
    assert upload(admin, lottery.id, households_csv()).status_code == 302
    db.session.expire_all()
    assert len(lottery.candidates) == 14
    # age bands: 18-34, 35-59, 60+ ; neighbourhoods: Nord, Sud
    data = quotas_form(
        lottery,
        ["age_band", "neighbourhood"],
        {
            "age_band": [("1", "2"), ("1", "2"), ("1", "2")],
            "neighbourhood": [("2", "2"), ("2", "2")],
        },
    )
    assert admin.post_form(f"/tirages/{lottery.id}/quotas", data).status_code == 302
    assert admin.post_form(f"/tirages/{lottery.id}/verifier", {}).status_code == 302
    page = admin.get(f"/tirages/{lottery.id}").get_data(as_text=True)
    assert "Foyer 1" in page and f"/tirages/{lottery.id}/engager" in page  # chances, then commit
    # Nothing is public before the commitment.
    assert admin.get(f"/tirages/{lottery.id}/registre").status_code == 404
    assert admin.post_form(f"/tirages/{lottery.id}/engager", {}).status_code == 302
    db.session.expire_all()
    assert lottery.status is LotteryStatus.COMMITTED and len(lottery.seed_hash) == 64
    public = app.test_client()
    before = public.get(f"/tirages/{lottery.id}/registre").get_data(as_text=True)
    assert lottery.seed_hash in before and lottery.seed not in before and "Foyer" not in before
    record = public.get(f"/tirages/{lottery.id}/registre.json").get_json()
    assert record["seed"] is None and record["panel"] is None and "Foyer" not in json.dumps(record)

    assert admin.post_form(f"/tirages/{lottery.id}/tirer", {}).status_code == 302
    assert admin.post_form(f"/tirages/{lottery.id}/tirer", {}).status_code == 409  # once only
    db.session.expire_all()
    assert len(lottery.panel) == 4 and len(lottery.reserve) == 10
    assert published.quota_problems(lottery) == []
    after = public.get(f"/tirages/{lottery.id}/registre").get_data(as_text=True)
    assert lottery.seed in after and "Foyer" not in after
    record = public.get(f"/tirages/{lottery.id}/registre.json").get_json()
    assert published.verify(record) == []
    tampered = {**record, "panel": sorted(record["reserve"][:4])}
    assert published.verify(tampered)

    runner = app.test_cli_runner()
    result = runner.invoke(args=["lottery-verify", str(lottery.id)])
    assert result.exit_code == 0 and "same panel" in result.output, result.output
    # Anyone can re-run it from the downloaded record alone; a doctored record is caught.
    downloaded = tmp_path / "registre.json"
    downloaded.write_text(json.dumps(record))
    result = runner.invoke(args=["lottery-verify", "--file", str(downloaded)])
    assert result.exit_code == 0 and "same panel" in result.output, result.output
    # The recipe printed on the public page, run as it is in a fresh interpreter.
    recipe = html.unescape(re.search(r"<pre><code>(.*?)</code></pre>", after, re.S).group(1))
    ran = subprocess.run(
        [sys.executable, "-c", recipe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert ran.stdout.split() == ["True", "True"], ran.stderr
    downloaded.write_text(json.dumps({**record, "seed": "0" * 64}))
    result = runner.invoke(args=["lottery-verify", "--file", str(downloaded)])
    assert result.exit_code == 1 and "fingerprint" in result.output

    before_count = db.session.scalar(select(func.count()).select_from(Household))
    assert admin.post_form(f"/tirages/{lottery.id}/confirmer", {}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Household)) == before_count + 4
    enrolled = [c for c in lottery.candidates if c.household_id]
    assert sorted(c.number for c in enrolled) == lottery.panel
    assert lottery.status is LotteryStatus.CONFIRMED
    page = admin.get(f"/tirages/{lottery.id}").get_data(as_text=True)
    assert all(f"/budget/foyers/{c.household_id}" in page for c in enrolled)


def test_a_draw_of_members_joins_the_group(admin) -> None:  # type: ignore[no-untyped-def]
    group = factories.group()
    people = [factories.person() for _ in range(6)]
    already = factories.person()
    factories.membership(already, group)
    db.session.commit()
    data = {"title": "Comité", "purpose": "group", "group_id": str(group.id)}
    response = admin.post_form("/tirages", {**data, "places": "3", "method": "maximin"})
    assert response.status_code == 302
    lottery = db.session.scalars(select(Lottery).order_by(Lottery.id.desc())).first()
    rows = "\n".join(
        f"{p.display_name},{p.username},1,0,0,,{AGES[i % 2]},seule,Nord,"
        for i, p in enumerate(people)
    )
    bad = upload(
        admin, lottery.id, f"{HEADER}{rows}\nDéjà là,{already.username},1,0,0,,60+,seule,Nord,\n"
    )
    assert bad.status_code == 422 and "déjà membre" in bad.get_data(as_text=True)
    template = admin.get(f"/tirages/{lottery.id}/modele.csv").get_data(as_text=True)
    assert template.startswith("name,username,") and people[0].username in template
    assert f",{already.username}," not in template  # already a member: not a candidate
    assert upload(admin, lottery.id, f"{HEADER}{rows}\n").status_code == 302
    for step in ("verifier", "engager", "tirer", "confirmer"):
        assert admin.post_form(f"/tirages/{lottery.id}/{step}", {}).status_code == 302, step
    members = db.session.scalar(
        select(func.count()).where(Membership.group_id == group.id, Membership.role == Role.MEMBER)
    )
    assert members == 1 + 3


def test_bad_input_comes_back_with_422_and_writes_nothing(admin) -> None:  # type: ignore[no-untyped-def]
    bad = admin.post_form(
        "/tirages",
        {
            "title": "Tirage du printemps",
            "purpose": "group",
            "group_id": "0",
            "places": "beaucoup",
            "method": "maximin",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Tirage du printemps" in html and "beaucoup" in html
    assert db.session.scalar(select(func.count()).select_from(Lottery)) == 0

    lottery = open_draw(admin)
    broken = (
        households_csv(3)
        + "Foyer X,,deux,0,0,1,60+,seule,Nord,\n"  # line 5: not a number
        + "Foyer Y,,1,0,0,9,60+,seule,Nord,\n"  # line 6: no such bracket
        + ",,1,0,0,1,60+,seule,Nord,\n"  # line 7: no name
    )
    response = upload(admin, lottery.id, broken)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ligne 5" in html and "Ligne 6" in html and "Ligne 7" in html
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 0  # all or none
    no_name = upload(admin, lottery.id, "nom,age\nA,1\n")
    assert no_name.status_code == 422 and "name" in no_name.get_data(as_text=True)

    assert upload(admin, lottery.id, households_csv(10)).status_code == 302
    typed = quotas_form(
        lottery, ["age_band"], {"age_band": [("trois", "2"), ("3", "1"), ("0", "99")]}
    )
    response = admin.post_form(f"/tirages/{lottery.id}/quotas", typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="trois"' in html and 'value="99"' in html
    db.session.expire_all()
    assert lottery.quotas == {} and lottery.features == []

    # Quotas that cannot be met: refused before the draw, with the reason.
    impossible = quotas_form(
        lottery, ["age_band"], {"age_band": [("3", "4"), ("3", "4"), ("3", "4")]}
    )
    assert admin.post_form(f"/tirages/{lottery.id}/quotas", impossible).status_code == 302
    refused = admin.post_form(f"/tirages/{lottery.id}/verifier", {})
    assert refused.status_code == 302  # to the check's page, which gives the reason
    reason = admin.get(refused.location).get_data(as_text=True)
    assert "Refusé" in reason and "9" in reason
    assert admin.post_form(f"/tirages/{lottery.id}/engager", {}).status_code == 422
    db.session.expire_all()
    assert lottery.status is LotteryStatus.DRAFT and lottery.seed_hash is None


def test_the_database_keeps_a_published_draw_as_it_was(admin) -> None:  # type: ignore[no-untyped-def]
    lottery = open_draw(admin, places=3)
    assert upload(admin, lottery.id, households_csv(6)).status_code == 302
    for step in ("verifier", "engager"):
        assert admin.post_form(f"/tirages/{lottery.id}/{step}", {}).status_code == 302
    db.session.expire_all()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE lottery SET seed = 'ab' WHERE id = :id"), {"id": lottery.id}
        )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("DELETE FROM lottery_candidate WHERE lottery_id = :id"), {"id": lottery.id}
        )
    assert upload(admin, lottery.id, households_csv(6)).status_code == 409


def test_pages_with_and_without_htmx(admin) -> None:  # type: ignore[no-untyped-def]
    lottery = open_draw(admin)
    assert upload(admin, lottery.id, households_csv(8)).status_code == 302
    for path in ("/tirages", f"/tirages/{lottery.id}", "/tirages/registre"):
        full = admin.get(path)
        assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
        assert admin.htmx("GET", path).status_code == 200


def test_the_chances_of_a_large_pool_can_be_computed_from_the_command_line(admin, app) -> None:  # type: ignore[no-untyped-def]
    lottery = open_draw(admin, places=3)
    assert upload(admin, lottery.id, households_csv(9)).status_code == 302
    impossible = quotas_form(lottery, ["age_band"], {"age_band": [("2", "3")] * 3})
    assert admin.post_form(f"/tirages/{lottery.id}/quotas", impossible).status_code == 302
    runner = app.test_cli_runner()
    db.session.expire_all()  # the command shares the test's session: forget what it read
    refused = runner.invoke(args=["lottery-check", str(lottery.id)])
    assert refused.exit_code == 1 and "6" in refused.output, refused.output  # 6 minimums > 3
    fine = quotas_form(lottery, ["age_band"], {"age_band": [("1", "1")] * 3})
    assert admin.post_form(f"/tirages/{lottery.id}/quotas", fine).status_code == 302
    db.session.expire_all()
    done = runner.invoke(args=["lottery-check", str(lottery.id)])
    assert done.exit_code == 0 and "33.3%" in done.output, done.output
    db.session.expire_all()
    assert sorted(lottery.chances.values()) == pytest.approx([1 / 3] * 9)


def test_the_draw_page_does_not_query_per_candidate(admin, queries) -> None:  # type: ignore[no-untyped-def]
    counts = []
    for size in (5, 30):
        # Two draws opened within a second: different titles (the same form sent twice from the
        # same page is recorded once, see governance.once).
        lottery = open_draw(admin, places=3, title=f"Tirage de {size}")
        assert upload(admin, lottery.id, households_csv(size)).status_code == 302
        assert admin.post_form(f"/tirages/{lottery.id}/verifier", {}).status_code == 302
        queries.statements.clear()
        assert admin.get(f"/tirages/{lottery.id}").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
