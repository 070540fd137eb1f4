"""The formatting filters, in both languages: money, MonA, numbers, percentages, dates, times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from governance import formatting

NNBSP, NBSP = "\u202f", "\u00a0"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fr(app: Flask):  # type: ignore[no-untyped-def]
    with app.test_request_context(), force_locale("fr"):
        yield


@pytest.fixture
def en(app: Flask):  # type: ignore[no-untyped-def]
    with app.test_request_context(), force_locale("en"):
        yield


def test_money_in_french(fr: None) -> None:
    assert formatting.money(15056644) == f"150{NNBSP}566,44{NBSP}€"
    assert formatting.money(0) == f"0,00{NBSP}€"
    assert formatting.money(-2500) == f"-25,00{NBSP}€"
    assert formatting.money(123456789012) == f"1{NNBSP}234{NNBSP}567{NNBSP}890,12{NBSP}€"
    assert formatting.money(None) == "—"


def test_money_in_english(en: None) -> None:
    assert formatting.money(15056644) == "€150,566.44"
    assert formatting.money(0) == "€0.00"
    assert formatting.money(-2500) == "-€25.00"
    assert formatting.money(123456789012) == "€1,234,567,890.12"


def test_mona_is_a_unit_of_its_own(app: Flask) -> None:
    with app.test_request_context():
        with force_locale("fr"):
            assert formatting.mona(15000) == f"150,00{NBSP}MonA"
            assert formatting.mona(-4550) == f"-45,50{NBSP}MonA"
            assert formatting.mona(0) == f"0,00{NBSP}MonA"
            assert formatting.mona(100000000) == f"1{NNBSP}000{NNBSP}000,00{NBSP}MonA"
        with force_locale("en"):
            assert formatting.mona(15000) == f"150.00{NBSP}MonA"
            assert formatting.mona(-4550) == f"-45.50{NBSP}MonA"
            assert formatting.mona(100000000) == f"1,000,000.00{NBSP}MonA"
            assert "€" not in formatting.mona(15000)


def test_numbers_and_percentages(app: Flask) -> None:
    with app.test_request_context():
        with force_locale("fr"):
            assert formatting.number(82.5) == "82,5"
            assert formatting.number(27400) == f"27{NNBSP}400"
            assert formatting.number(-3.25, 1) == "-3,2"
            assert formatting.number(0, 2) == "0,00"
            assert formatting.percent(0.851) == f"85,1{NBSP}%"
            assert formatting.percent(0) == f"0,0{NBSP}%"
            assert formatting.percent(-0.05, 0) == f"-5{NBSP}%"
            assert formatting.permille(350) == f"35,0{NBSP}%"
            assert formatting.permille(None) == "—"
        with force_locale("en"):
            assert formatting.number(82.5) == "82.5"
            assert formatting.number(27400) == "27,400"
            assert formatting.percent(0.851) == "85.1%"
            assert formatting.permille(1234) == "123.4%"
            assert formatting.permille(-20) == "-2.0%"


def test_dates_and_times(app: Flask) -> None:
    # Stored in UTC, read in Paris: 8:30 UTC on 5 December is 9:30 in Paris.
    at = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("fr"):
            assert formatting.date(date(2026, 12, 5)) == "5 décembre 2026"
            assert formatting.datetime(at) == f"5 décembre 2026 à 9{NBSP}h{NBSP}30"
            assert formatting.time(at) == f"9{NBSP}h{NBSP}30"
            assert formatting.date(date(2026, 12, 5), "full") == "samedi 5 décembre 2026"
            assert formatting.date(date(2026, 12, 1), "MMMM y") == "décembre 2026"
        with force_locale("en"):
            assert formatting.date(date(2026, 12, 5)) == "December 5, 2026"
            assert formatting.datetime(at) == f"December 5, 2026 at 9:30{NBSP}AM"
            assert formatting.date(None) == "—"


def test_filters_are_registered_once_for_every_template(fr: None) -> None:
    html = render_template_string(
        "{{ 15000 | money }} · {{ 15000 | mona }} · {{ 825 | permille }} · {{ 0.5 | percent }}"
    )
    assert html == f"150,00{NBSP}€ · 150,00{NBSP}MonA · 82,5{NBSP}% · 50,0{NBSP}%"


def test_machine_amounts_stay_plain() -> None:
    # A number (the export writer leaves numbers alone), written exactly, with its cents.
    assert str(formatting.machine_amount(15056644)) == "150566.44"
    assert str(formatting.machine_amount(-5)) == "-0.05"
    assert str(formatting.machine_amount(100)) == "1.00"
    assert formatting.machine_amount(None) is None


def test_no_hand_made_formatting_in_templates() -> None:
    """Every page formats through the filters: no printf, no hand-written unit or divide."""
    forbidden = ('"%.', "/ 100)", "/ 10)", "format_date(", "format_datetime(", "euros(", "€ MonA")
    found = [
        f"{path.relative_to(ROOT)}: {needle}"
        for pattern in ("*.html", "*.txt")
        for path in (ROOT / "governance").rglob(pattern)
        for needle in forbidden
        if needle in path.read_text()
    ]
    assert found == []


def test_amounts_are_typed_and_shown_the_readers_way(app: Flask) -> None:
    from decimal import Decimal

    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    class Amount(FlaskForm):
        class Meta:
            csrf = False

        amount = formatting.LocaleDecimalField(
            "amount", places=2, validators=[formatting.Between(min=0.01, max=10_000_000)]
        )

    with app.test_request_context():
        with force_locale("fr"):
            for typed, value in (("12,50", "12.50"), ("12.50", "12.50"), ("1 234,5", "1234.5")):
                form = Amount(MultiDict({"amount": typed}))
                assert form.validate() and form.amount.data == Decimal(value)
                assert form.amount._value() == typed  # what was typed comes back as typed
            shown = Amount(data={"amount": Decimal("12.5")}).amount
            assert shown._value() == "12,50"
            assert 'type="text"' in shown() and 'inputmode="decimal"' in shown()
            assert 'value="12,50"' in shown()
            too_much = Amount(MultiDict({"amount": "20000000"}))
            assert not too_much.validate()
            assert too_much.amount.errors == [f"Entre 0,01 et 10{NNBSP}000{NNBSP}000."]
            assert not Amount(MultiDict({"amount": "douze"})).validate()
        with force_locale("en"):
            form = Amount(MultiDict({"amount": "1,234.50"}))
            assert form.validate() and form.amount.data == Decimal("1234.50")
            assert Amount(data={"amount": Decimal("12.5")}).amount._value() == "12.50"


def test_plural_counts_are_written_the_readers_way(app: Flask) -> None:
    """A count in a plural sentence is grouped as the language writes numbers, and what it is
    given is escaped while the translated text is not."""
    template = '{{ ngettext("%(num)s household", "%(num)s households", n) }}'
    with app.test_request_context(), force_locale("fr"):
        assert render_template_string(template, n=3120) == "3\u202f120 foyers"
        assert render_template_string(template, n=1) == "1 foyer"
        html = render_template_string(
            '{{ ngettext("%(num)s household", "%(num)s households", 2, num="<b>") }}'
        )
    assert html == "&lt;b&gt; foyers"
    with app.test_request_context(), force_locale("en"):
        assert render_template_string(template, n=3120) == "3,120 households"


def test_plural_counts_in_templates_are_formatted() -> None:
    """``%(num)d`` would print a count bare (and a formatted count is text): templates write
    ``%(num)s``, which ``ngettext`` fills with the count as the language writes it."""
    found = [
        str(path.relative_to(ROOT))
        for folder in ("governance",)
        for pattern in ("*.html", "*.txt")
        for path in (ROOT / folder).rglob(pattern)
        if re.search(r'ngettext\("[^"]*%\(num\)d', path.read_text())
    ]
    assert found == []
