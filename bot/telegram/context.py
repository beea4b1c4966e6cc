"""A typed CallbackContext: `context.services`, `context.profile`, `context.l10n`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.domain.locales import negotiate_locale
from bot.domain.views import UserProfile
from bot.i18n import Localizer
from bot.presentation.menu import Guide
from bot.services.registry import Services
from bot.services.users import TelegramIdentity


class Features(Protocol):
    """What handlers look up in the features' declarations (`bot.telegram.features`
    builds it from them): the /help and command-menu guide, the main menu's actions, the
    dialogues by flow."""

    @property
    def guide(self) -> Guide: ...

    @property
    def actions(
        self,
    ) -> Mapping[str, Callable[[Update, BotContext], Coroutine[Any, Any, None]]]: ...

    @property
    def dialogues(
        self,
    ) -> Mapping[str, Callable[[Update, BotContext], Coroutine[Any, Any, bool]]]: ...


@dataclass
class BotData:
    """`application.bot_data`: the one place the composition root leaves the services, and
    `handlers.register_handlers` the features' declarations."""

    services: Services | None = None
    features: Features | None = None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    profile: UserProfile | None = None
    _l10n: Localizer | None = None

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not attached to the application")
        return services

    @property
    def features(self) -> Features:
        features = self.bot_data.features
        if features is None:
            raise RuntimeError("no features registered")
        return features

    @property
    def l10n(self) -> Localizer:
        if self._l10n is None:
            raise RuntimeError("no localizer: the update has no user")
        return self._l10n

    def use_localizer(self, l10n: Localizer) -> None:
        """After the user switched language mid-update, answer in the new one."""
        self._l10n = l10n

    async def refresh_data(self) -> None:
        """Runs once per update before any handler: know the user, pick their language."""
        await super().refresh_data()
        update = self._update
        if update is None or update.effective_user is None:
            return
        user = update.effective_user
        self._l10n = await self.services.localizer(negotiate_locale(user.language_code).locale)
        self.profile = await self.services.users.touch(
            TelegramIdentity(
                id=user.id,
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
                language_code=user.language_code,
            )
        )
        self._l10n = await self.services.localizer(self.profile.locale)

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> BotContext:
        context = super().from_update(update, application)
        context._update = update if isinstance(update, Update) else None
        return context

    _update: Update | None = None
