"""A photo or document Telegram already holds, sent again by its file_id (no re-upload)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AttachmentKind = Literal["photo", "document"]
ATTACHMENT_KINDS: tuple[AttachmentKind, ...] = ("photo", "document")


@dataclass(frozen=True)
class Attachment:
    kind: AttachmentKind
    file_id: str
