"""Registration answers: what is accepted, what is refused (and why), badge codes, drafts."""

from __future__ import annotations

import pytest

from bot.domain.registration import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Draft,
    InvalidAnswer,
    Problem,
    Step,
    clean_typed_answer,
    has_control_characters,
    is_code,
    is_email,
    new_code,
)


@pytest.mark.parametrize(
    "email",
    [
        "amina@example.org",
        "amina.rahman+symposium@mail.example.com.my",
        "o'neil@news.co.uk",
        "علي@مثال.مصر",  # internationalized address
        "editor@xn--mgbh0fb.xn--kgbechtv",
    ],
)
def test_email_accepts_sane_addresses(email: str) -> None:
    assert is_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "amina",
        "amina@example",  # no dot in the domain
        "amina@@example.org",
        "am ina@example.org",
        "amina@exa mple.org",
        ".amina@example.org",
        "amina.@example.org",
        "ami..na@example.org",
        "amina@-example.org",
        "amina@example.o",
        "<b>@example.org",
        "a@" + "b" * 250 + ".org",  # over 254 characters
    ],
)
def test_email_refuses_broken_addresses(email: str) -> None:
    assert not is_email(email)


@pytest.mark.parametrize(
    ("step", "text", "problem"),
    [
        (Step.NAME, "A", Problem.NAME_LENGTH),
        (Step.NAME, "x" * 121, Problem.NAME_LENGTH),
        (Step.NAME, "  A  ", Problem.NAME_LENGTH),
        (Step.NAME, "1234", Problem.NAME_LETTER),
        (Step.NAME, "Amina\nRahman", Problem.CONTROL),
        (Step.NAME, "Amina\u202eRahman", Problem.CONTROL),  # a bidi override
        (Step.NAME, "Amina\u2069", Problem.CONTROL),  # would close our isolate early
        (Step.EMAIL, "amina@example", Problem.EMAIL),
        (Step.EMAIL, "a" * 250 + "@x.org", Problem.EMAIL_LENGTH),
        (Step.ORGANIZATION, "   ", Problem.ORGANIZATION_LENGTH),
        (Step.ORGANIZATION, "o" * 151, Problem.ORGANIZATION_LENGTH),
        (Step.ROLE, "journalist", Problem.USE_BUTTONS),
    ],
)
def test_a_refused_answer_says_why(step: Step, text: str, problem: Problem) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        clean_typed_answer(step, text)

    assert refused.value.problem is problem


@pytest.mark.parametrize(
    ("step", "text", "stored"),
    [
        (Step.NAME, "  Amina Rahman ", "Amina Rahman"),
        (Step.NAME, "أمينة رحمن", "أمينة رحمن"),
        (Step.NAME, "<b>Ali</b> & Co", "<b>Ali</b> & Co"),  # stored as typed, escaped when shown
        (Step.NAME, "Zoë", "Zoë"),
        (Step.ORGANIZATION, "BBC ‌Urdu", "BBC ‌Urdu"),  # a zero-width non-joiner is a letter aid
    ],
)
def test_an_accepted_answer_is_trimmed_not_rewritten(step: Step, text: str, stored: str) -> None:
    assert clean_typed_answer(step, text) == stored


def test_control_characters_include_tabs_and_isolates_but_not_joiners() -> None:
    assert has_control_characters("a\tb") and has_control_characters("\u2066x")
    assert not has_control_characters("می‌خواهم")  # ZWNJ, as Urdu and Persian use it


def test_codes_use_the_unambiguous_alphabet() -> None:
    codes = {new_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and is_code(c) for c in codes)
    assert not set("".join(codes)) & set("01IO")
    assert set(CODE_ALPHABET).isdisjoint("01IO")


def test_a_draft_asks_fields_in_order_then_consent_then_the_summary() -> None:
    draft = Draft()
    seen = []
    for step, value in [
        (Step.NAME, "Amina"),
        (Step.EMAIL, "a@b.co"),
        (Step.ORGANIZATION, "X"),
        (Step.ROLE, "student"),
        (Step.COUNTRY, "MY"),
        (Step.LANGUAGE, "ms"),
    ]:
        seen.append(draft.next_step())
        draft = draft.answer(step, value)

    assert seen == [
        Step.NAME,
        Step.EMAIL,
        Step.ORGANIZATION,
        Step.ROLE,
        Step.COUNTRY,
        Step.LANGUAGE,
    ]
    assert draft.next_step() is Step.CONSENT and not draft.complete
    assert Draft(**{**draft.to_json(), "consent": True}).complete


def test_a_draft_read_back_from_json_ignores_unknown_or_mistyped_keys() -> None:
    stored = {"full_name": "Amina", "email": 42, "consent": "yes", "favourite": "tea"}

    assert Draft.from_json(stored) == Draft(full_name="Amina")
    assert Draft.from_json(["not", "a", "dict"]) == Draft()
