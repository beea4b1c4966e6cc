"""The registration dialogue: one question at a time, the privacy notice and the summary."""

from __future__ import annotations

from babel import Locale

from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.registration import (
    EMAIL_LIMIT,
    FIELDS,
    NAME_LIMITS,
    ORGANIZATION_LIMITS,
    PROFESSIONS,
    Draft,
    Problem,
    Step,
)
from bot.domain.registration_views import Progress, RegistrationView
from bot.domain.retention import ASKED_QUESTIONS as SEARCH_RETENTION
from bot.domain.retention import INBOX_UPDATES as INBOX_RETENTION
from bot.i18n import Localizer
from bot.presentation import Button, Reply
from bot.presentation import callbacks as verbs
from bot.presentation.attendee import (
    delete_label,
    detail_lines,
    field_label,
    profession_name,
    registration_card,
)
from bot.presentation.callbacks import cb


def opening(l10n: Localizer, found: Progress | RegistrationView, contact: str = "") -> Reply:
    """/register: the first question, an offer to resume, or the existing registration.
    `contact`: whom to ask about one's data (PRIVACY_CONTACT), for the privacy notice."""
    if isinstance(found, RegistrationView):
        return registration_card(l10n, found, l10n._("✅ You are already registered."))
    if found.resumed:
        text = l10n._("📝 You have a registration in progress. Continue where you left off?")
        buttons = (
            (Button(l10n._("▶️ Continue"), cb(verbs.REGISTRATION_STEP, "resume")),),
            (Button(l10n._("🔄 Start over"), cb(verbs.REGISTRATION_STEP, "restart")),),
            (_cancel(l10n),),
        )
        return Reply(text, buttons=buttons)
    return prompt(l10n, found, contact)


def prompt(l10n: Localizer, progress: Progress, contact: str = "") -> Reply:
    """The question for the current step, after the reason the last answer was refused."""
    reply = _question(l10n, progress, contact)
    lines = [_header(l10n, progress)] if progress.step in FIELDS else []
    if progress.problem is not None:
        lines.append(problem_text(l10n, progress.problem))
    if not lines:
        return reply
    return Reply("\n".join([*lines, reply.text]), buttons=reply.buttons)


def problem_text(l10n: Localizer, problem: Problem) -> str:
    if problem is Problem.CONTROL:
        return l10n._("⚠️ Please type it on one line, without invisible control characters.")
    if problem is Problem.NAME_LENGTH:
        low, high = NAME_LIMITS
        return l10n.ngettext(
            "⚠️ Your name should have {low} to {n} character.",
            "⚠️ Your name should have {low} to {n} characters.",
            high,
            low=l10n.number(low),
        )
    if problem is Problem.NAME_LETTER:
        return l10n._("⚠️ Your name should contain at least one letter.")
    if problem is Problem.EMAIL:
        return l10n._(
            "⚠️ That does not look like an email address. Please check it "
            "(for example: name@example.org)."
        )
    if problem is Problem.EMAIL_LENGTH:
        return l10n.ngettext(
            "⚠️ An email address can have at most {n} character.",
            "⚠️ An email address can have at most {n} characters.",
            EMAIL_LIMIT,
        )
    if problem is Problem.ORGANIZATION_LENGTH:
        return l10n.ngettext(
            "⚠️ Please type the name of your organization, in at most {n} character.",
            "⚠️ Please type the name of your organization, in at most {n} characters.",
            ORGANIZATION_LIMITS[1],
        )
    return l10n._("⚠️ Please choose one of the buttons below.")


def _header(l10n: Localizer, progress: Progress) -> str:
    if progress.draft.complete:
        return l10n._("✏️ <b>Change your details</b>")
    return l10n._(
        "📝 <b>Registration</b> · step {number} of {total}",
        number=l10n.number(FIELDS.index(progress.step) + 1),
        total=l10n.number(len(FIELDS)),
    )


def _question(l10n: Localizer, progress: Progress, contact: str) -> Reply:
    step, draft = progress.step, progress.draft
    if step is Step.NAME:
        text = l10n._("What is your full name, as it should appear on your badge?")
    elif step is Step.EMAIL:
        text = l10n._("What is your email address?")
    elif step is Step.ORGANIZATION:
        text = l10n._("Which organization do you work for (media outlet, university, company)?")
    elif step is Step.ROLE:
        return Reply(l10n._("What is your role?"), buttons=_roles(l10n, draft))
    elif step is Step.COUNTRY:
        return _country(l10n, progress)
    elif step is Step.LANGUAGE:
        text = l10n._("In which language should the organizers write to you?")
        return Reply(text, buttons=_languages(l10n, draft))
    elif step is Step.CONSENT:
        return privacy_notice(l10n, contact)
    elif step is Step.PICK:
        return _picker(l10n)
    else:
        return summary(l10n, draft)
    current = draft.value(step)
    if current is not None:
        text += "\n" + l10n._("Now: {value}", value=current)
    return Reply(text, buttons=(_leave(l10n, draft),))


def _country(l10n: Localizer, progress: Progress) -> Reply:
    if progress.query is None:
        text = l10n._(
            "Which country are you from? Type a few letters of its name, "
            "in any of our four languages."
        )
        return Reply(text, buttons=(_leave(l10n, progress.draft),))
    if not progress.matches:
        text = l10n._(
            "I found no country matching “{query}”. Please try a few letters of its name.",
            query=progress.query,
        )
        return Reply(text, buttons=(_leave(l10n, progress.draft),))
    rows = [(Button(c.name, cb(verbs.REGISTRATION_COUNTRY, c.code)),) for c in progress.matches]
    text = l10n._("Choose your country, or type another name:")
    return Reply(text, buttons=(*rows, _leave(l10n, progress.draft)))


def _roles(l10n: Localizer, draft: Draft) -> tuple[tuple[Button, ...], ...]:
    buttons = [
        Button(profession_name(l10n, p), cb(verbs.REGISTRATION_ROLE, p)) for p in PROFESSIONS
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    return (*rows, _leave(l10n, draft))


def _languages(l10n: Localizer, draft: Draft) -> tuple[tuple[Button, ...], ...]:
    buttons = tuple(
        Button(autonym(code), cb(verbs.REGISTRATION_LANGUAGE, code)) for code in SUPPORTED_LOCALES
    )
    return (buttons[:2], buttons[2:], _leave(l10n, draft))


def privacy_notice(l10n: Localizer, contact: str = "") -> Reply:
    """What is kept, by whom, for how long, and whom to ask: the periods are the code's own
    (the inbox's and the search log's retention), `contact` is PRIVACY_CONTACT."""
    inbox_days = INBOX_RETENTION.days
    search_days = SEARCH_RETENTION.days
    lines = [
        l10n._("🔒 <b>Your privacy</b>"),
        l10n._("We store your name, email, organization, role, country and preferred language."),
        l10n._(
            "We use them for your badge, for check-in and so that the organizers can "
            "contact you about the symposium."
        ),
        l10n._(
            "The symposium's organizers keep them, on the server that runs this bot, until "
            "you delete them. Your questions to speakers and your comments on sessions are "
            "kept the same way; ratings are only counted."
        ),
        l10n._(
            "You can delete them at any time: send /me and choose “{button}”.",
            button=delete_label(l10n),
        ),
        l10n.ngettext(
            "Messages you send to the bot are kept for {n} day after they are answered, then "
            "deleted.",
            "Messages you send to the bot are kept for {n} days after they are answered, then "
            "deleted.",
            inbox_days,
        ),
        l10n.ngettext(
            "What you search for is kept for {n} day without your name, so the organizers "
            "see what attendees look for.",
            "What you search for is kept for {n} days without your name, so the organizers "
            "see what attendees look for.",
            search_days,
        ),
        l10n._(
            "Questions about your data: {contact}.",
            contact=contact or l10n._("the symposium's organizers"),
        ),
        "",
        l10n._("Do you agree?"),
    ]
    buttons = ((Button(l10n._("✅ I agree"), cb(verbs.REGISTRATION_STEP, "agree")), _cancel(l10n)),)
    return Reply("\n".join(lines), buttons=buttons)


def summary(l10n: Localizer, draft: Draft) -> Reply:
    lines = [l10n._("📋 <b>Please check your details</b>"), "", *detail_lines(l10n, draft)]
    buttons = (
        (Button(l10n._("✅ Confirm"), cb(verbs.REGISTRATION_STEP, "confirm")),),
        (Button(l10n._("✏️ Edit a detail"), cb(verbs.REGISTRATION_STEP, "pick")),),
        (_cancel(l10n),),
    )
    return Reply("\n".join(lines), buttons=buttons)


def _picker(l10n: Localizer) -> Reply:
    buttons = [
        Button(field_label(l10n, step), cb(verbs.REGISTRATION_FIELD, step.value)) for step in FIELDS
    ]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    back = (Button(l10n._("« Back"), cb(verbs.REGISTRATION_STEP, "summary")),)
    return Reply(l10n._("✏️ Which detail do you want to change?"), buttons=(*rows, back))


def _leave(l10n: Localizer, draft: Draft) -> tuple[Button, ...]:
    """Under a question: Cancel while registering, Back to the summary while editing."""
    if draft.complete:
        return (Button(l10n._("« Back"), cb(verbs.REGISTRATION_STEP, "summary")),)
    return (_cancel(l10n),)


def _cancel(l10n: Localizer) -> Button:
    return Button(l10n._("✖ Cancel"), cb(verbs.REGISTRATION_STEP, "cancel"))


def autonym(code: str) -> str:
    """A language's name in itself, as the language picker shows it."""
    name = Locale.parse(code).get_display_name(code) or code
    return str(name[:1].upper() + name[1:])
