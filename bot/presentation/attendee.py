"""An attendee's own registration: the /me card, the badge, confirming, erasing, cancelling."""

from __future__ import annotations

import html
from typing import Protocol

from markupsafe import Markup

from bot.domain.registration import Step
from bot.domain.registration_views import Cancelled, Confirmation, Erasure, RegistrationView
from bot.i18n import Localizer
from bot.i18n.countries import country_name
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.callbacks import cb


class Answers(Protocol):
    """A draft or a stored registration: both are shown the same way."""

    @property
    def full_name(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def organization(self) -> str | None: ...
    @property
    def profession(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...


def field_label(l10n: Localizer, step: Step) -> str:
    labels = {
        Step.NAME: l10n._("Name"),
        Step.EMAIL: l10n._("Email"),
        Step.ORGANIZATION: l10n._("Organization"),
        Step.ROLE: l10n._("Role"),
        Step.COUNTRY: l10n._("Country"),
        Step.LANGUAGE: l10n._("Language"),
    }
    return labels[step]


def profession_name(l10n: Localizer, profession: str) -> str:
    names = {
        "journalist": l10n._("Journalist"),
        "editor": l10n._("Editor"),
        "producer": l10n._("Producer"),
        "technologist": l10n._("Technologist"),
        "policymaker": l10n._("Policymaker"),
        "academic": l10n._("Academic"),
        "student": l10n._("Student"),
        "other": l10n._("Other"),
    }
    return names.get(profession, profession)


def detail_lines(l10n: Localizer, answers: Answers) -> list[str]:
    """One line per answer; every value is escaped and isolated by the localizer."""
    role, country, language = answers.profession, answers.country, answers.language
    return [
        l10n._("👤 Name: {value}", value=answers.full_name or ""),
        l10n._("✉️ Email: {value}", value=answers.email or ""),
        l10n._("🏢 Organization: {value}", value=answers.organization or ""),
        l10n._("🎙 Role: {value}", value=profession_name(l10n, role) if role else ""),
        l10n._("🌍 Country: {value}", value=country_name(country, l10n.locale) if country else ""),
        l10n._("🗣 Language: {value}", value=l10n.language_name(language) if language else ""),
    ]


def code_markup(code: str) -> Markup:
    """The code in <code> and without isolates: attendees copy it."""
    return Markup(f"<code>{html.escape(code)}</code>")


def registration_card(l10n: Localizer, found: RegistrationView, title: str | None = None) -> Reply:
    lines = [title, ""] if title else []
    lines += [l10n._("🪪 <b>Your registration</b>"), "", *detail_lines(l10n, found)]
    lines.append(l10n._("🎫 Registration code: {code}", code=code_markup(found.code)))
    buttons = (
        (
            Button(l10n._("✏️ Edit"), cb(verbs.MY_REGISTRATION, "edit")),
            Button(l10n._("🎫 My badge"), cb(verbs.MY_REGISTRATION, "badge")),
        ),
        (Button(delete_label(l10n), cb(verbs.MY_REGISTRATION, "delete")),),
    )
    return Reply("\n".join(lines), buttons=buttons)


def confirmed(l10n: Localizer, confirmation: Confirmation) -> Reply:
    found = confirmation.registration
    if confirmation.already:
        return registration_card(l10n, found, l10n._("✅ You are already registered."))
    if not confirmation.first_time:
        if confirmation.changed:
            return registration_card(l10n, found, l10n._("✅ Your registration is updated."))
        return registration_card(l10n, found, l10n._("✅ Nothing changed in your registration."))
    lines = [
        l10n._("✅ <b>You are registered!</b>"),
        l10n._("Your badge follows: show its QR code at the registration desk."),
        l10n._("You can see or change your details at any time with /me."),
    ]
    return Reply("\n".join(lines))


def badge_caption(l10n: Localizer, code: str) -> str:
    return "\n".join(
        [
            l10n._("🎫 Your registration code: {code}", code=code_markup(code)),
            l10n._("Show this QR code at the registration desk."),
        ]
    )


def my_registration(l10n: Localizer, found: RegistrationView | None) -> Reply:
    """/me: the card, or how to register."""
    return registration_card(l10n, found) if found is not None else not_registered(l10n)


def not_registered(l10n: Localizer) -> Reply:
    """/me without a registration: how to register, and (whoever has written to the bot has
    left something in it) how to delete what it keeps."""
    text = l10n._("You are not registered yet. Send /register to sign up for the symposium.")
    buttons = (
        (Button(l10n._("📝 Register"), cb(verbs.REGISTRATION_STEP, "start")),),
        (Button(delete_label(l10n), cb(verbs.MY_REGISTRATION, "delete")),),
    )
    return Reply(text, buttons=buttons)


def delete_label(l10n: Localizer) -> str:
    return l10n._("🗑 Delete my data")


def erase_question(l10n: Localizer) -> Reply:
    lines = [
        l10n._("🗑 <b>Delete your data?</b>"),
        l10n._(
            "This erases your name, email, organization and registration code, your "
            "personal agenda and seat reservations, your questions to speakers, your "
            "comments on sessions and the messages you sent the bot. It cannot be undone."
        ),
    ]
    buttons = (
        (Button(l10n._("Yes, delete"), cb(verbs.MY_REGISTRATION, "erase")),),
        (Button(l10n._("Keep"), cb(verbs.MY_REGISTRATION, "show")),),
    )
    return Reply("\n".join(lines), buttons=buttons)


def erased(l10n: Localizer, erasure: Erasure) -> Reply:
    """Erasure reaches everyone's data, registered or not (`bot/services/erasure.py`)."""
    lines = [l10n._("🗑 Your data has been deleted.")]
    if erasure.erased:
        lines.append(l10n._("You can register again at any time with /register."))
    return Reply("\n".join(lines))


def cancelled(l10n: Localizer, outcome: Cancelled) -> Reply:
    if outcome is Cancelled.DRAFT:
        return Reply(l10n._("Registration cancelled. Nothing was saved."))
    if outcome is Cancelled.EDIT:
        return Reply(l10n._("Cancelled. Your registration is unchanged."))
    return Reply(l10n._("There is nothing to cancel."))
