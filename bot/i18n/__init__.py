"""Translation and CLDR formatting for one reader at a time."""

from bot.i18n.catalogs import Catalogs
from bot.i18n.localizer import FSI, PDI, RLM, Localizer, isolate, plain_text, strip_bidi

__all__ = ["FSI", "PDI", "RLM", "Catalogs", "Localizer", "isolate", "plain_text", "strip_bidi"]
