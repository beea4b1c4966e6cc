"""`symposium-bot export room-signs -o DIR`: a PNG per room to print for its door, with the
room's names in the four languages and a QR code that opens the room's now/next in the bot."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path

import pytest
import zxingcpp
from babel.support import NullTranslations
from PIL import Image, ImageChops, ImageDraw, ImageFont, features

from bot.clock import SystemClock
from bot.db.engine import create_engine, create_session_factory
from bot.domain.views import RoomNames
from bot.i18n import Catalogs, Localizer
from bot.presentation.room_signs import ARABIC_FONT, layout, render_sign, room_sign
from bot.sandbox.fake_bot_api import FakeBotApi
from bot.services.room_signs import rooms_for_signs
from bot.services.schedule import ScheduleService
from tests.databases import SAMPLE_ZONE, copy_sqlite

ROOT = Path(__file__).resolve().parents[2]
CAPTION = "Scan to see what is on in this room now and next"
SAMPLE_FILES = {
    f"room-{key}.png"
    for key in (
        "main-hall",
        "merdeka-hall",
        "orchid-room",
        "hibiscus-room",
        "rafflesia-room",
        "studio-1",
        "studio-2",
        "xr-lab",
    )
}


async def cli(*args: str, **env: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    clean.update({"LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), **env})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=clean,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    return process.returncode or 0, out.decode(), err.decode()


def database_file(url: str) -> str:
    return url.split(":///", 1)[1]


def room_ids(url: str) -> dict[str, int]:
    with sqlite3.connect(database_file(url)) as db:
        return dict(db.execute("SELECT key, id FROM rooms").fetchall())


def names_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def qr_text(path: Path) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(Image.open(path))]


async def test_the_organizer_prints_a_sign_per_room_whose_code_opens_that_room(
    fake: FakeBotApi, sqlite_sample_db: str, tmp_path: Path
) -> None:
    folder = tmp_path / "signs"
    env = {"BOT_TOKEN": fake.token, "BOT_API_BASE_URL": fake.base_url}

    code, out, err = await cli(
        "export", "room-signs", "-o", str(folder), DATABASE_URL=sqlite_sample_db, **env
    )

    assert code == 0, err
    assert out.strip() == f"8 room signs written to {folder}"
    assert names_in(folder) == SAMPLE_FILES
    for key, room_id in room_ids(sqlite_sample_db).items():
        path = folder / f"room-{key}.png"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (1240, 1748)
            assert round(image.info["dpi"][0]) == 150
        assert qr_text(path) == [f"https://t.me/symposium_test_bot?start=room-{room_id}"]


async def test_with_a_username_the_signs_need_no_telegram(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    folder = tmp_path / "offline"
    main_hall = room_ids(sqlite_sample_db)["main-hall"]

    code, _out, err = await cli(
        "export",
        "room-signs",
        "-o",
        str(folder),
        "--username",
        "@conference_signs_bot",
        DATABASE_URL=sqlite_sample_db,
    )
    bad = await cli(
        "export", "room-signs", "-o", str(tmp_path / "bad"), "--username", "no/pe",
        DATABASE_URL=sqlite_sample_db,
    )  # fmt: skip
    without = await cli(
        "export", "room-signs", "-o", str(tmp_path / "none"), DATABASE_URL=sqlite_sample_db
    )

    assert code == 0, err
    assert qr_text(folder / "room-main-hall.png") == [
        f"https://t.me/conference_signs_bot?start=room-{main_hall}"
    ]
    assert bad[0] == 2 and "is not a Telegram username" in bad[2]
    assert without[0] == 2 and "BOT_TOKEN is not set" in without[2]
    assert not (tmp_path / "bad").exists()


async def test_room_keys_and_names_from_an_import_cannot_write_outside_the_folder(
    sqlite_sample_db: str, tmp_path: Path
) -> None:
    with sqlite3.connect(database_file(sqlite_sample_db)) as db:
        db.execute(
            "UPDATE rooms SET key = '../../escape<b>', name = '<b>Hall</b> ../../x'"
            " WHERE key = 'main-hall'"
        )
        db.execute("UPDATE rooms SET key = '/etc/passwd' WHERE key = 'merdeka-hall'")
        db.execute("UPDATE rooms SET key = '..' WHERE key = 'orchid-room'")
        db.execute("UPDATE rooms SET key = 'Studio 1' WHERE key = 'studio-2'")  # reads as studio-1
    folder = tmp_path / "signs"

    code, _out, err = await cli(
        "export", "room-signs", "-o", str(folder), "--username", "symposium_bot",
        DATABASE_URL=sqlite_sample_db,
    )  # fmt: skip

    ids = room_ids(sqlite_sample_db)
    assert code == 0, err
    assert names_in(folder) == {
        "room-escape-b.png",
        "room-etc-passwd.png",
        f"room-{ids['..']}.png",
        "room-hibiscus-room.png",
        "room-rafflesia-room.png",
        "room-studio-1.png",
        f"room-studio-1-{ids['Studio 1']}.png",
        "room-xr-lab.png",
    }
    assert {name for name in names_in(tmp_path) if not name.startswith("bot.db")} == {"signs"}
    assert qr_text(folder / "room-escape-b.png") == [
        f"https://t.me/symposium_bot?start=room-{ids['../../escape<b>']}"
    ]


async def test_without_a_programme_there_is_nothing_to_print(
    sqlite_templates: dict[bool, Path], tmp_path: Path
) -> None:
    url = copy_sqlite(sqlite_templates[False], tmp_path / "empty.db")

    code, _out, err = await cli(
        "export", "room-signs", "-o", str(tmp_path / "signs"), "--username", "symposium_bot",
        DATABASE_URL=url,
    )  # fmt: skip

    assert code == 1
    assert "no programme is loaded" in err


# --- what a sign says and how it is drawn -------------------------------------------------


@pytest.fixture
async def sample_rooms(sqlite_sample_db: str) -> AsyncIterator[list[RoomNames]]:
    engine = create_engine(sqlite_sample_db)
    try:
        yield await rooms_for_signs(ScheduleService(create_session_factory(engine), SystemClock()))
    finally:
        await engine.dispose()


def localizers(translations: dict[str, NullTranslations] | None = None) -> list[Localizer]:
    catalogs = Catalogs()
    return [
        Localizer(locale, (translations or {}).get(locale) or catalogs.get(locale), SAMPLE_ZONE)
        for locale in ("ar", "en", "ms", "ur")
    ]


def ink(image: Image.Image) -> Image.Image:
    """The image cut to what is drawn on it (dark on white)."""
    box = ImageChops.invert(image).getbbox()
    assert box is not None, "nothing is drawn there"
    return image.crop(box)


@pytest.mark.parametrize("locale", ["ar", "ur"])
async def test_arabic_and_urdu_names_are_drawn_joined_and_right_to_left(
    sample_rooms: list[RoomNames], locale: str
) -> None:
    main_hall = next(room for room in sample_rooms if room.key == "main-hall")
    sign = room_sign(main_hall, "https://t.me/symposium_bot?start=room-1", localizers(), "x.png")
    line = next(p for p in layout(sign) if p.kind == "name" and p.locale == locale)
    drawn = ink(Image.open(BytesIO(render_sign(sign))).convert("L").crop(line.box))

    def reference(engine: ImageFont.Layout) -> Image.Image:
        font = ImageFont.truetype(str(ARABIC_FONT), line.size, layout_engine=engine)
        canvas = Image.new("L", (1240, 400), 255)
        shaping = (
            {"direction": "rtl", "language": locale} if engine == ImageFont.Layout.RAQM else {}
        )
        ImageDraw.Draw(canvas).text((20, 300), line.text, font=font, fill=0, anchor="ls", **shaping)
        return ink(canvas)

    shaped, letter_by_letter = reference(ImageFont.Layout.RAQM), reference(ImageFont.Layout.BASIC)
    assert features.check_feature("raqm")
    assert line.text == {"ar": "القاعة الرئيسية", "ur": "مرکزی ہال"}[locale]
    assert drawn.size == shaped.size and ImageChops.difference(drawn, shaped).getbbox() is None
    assert drawn.size != letter_by_letter.size  # isolated letters, left to right: not this


class Catalog(NullTranslations):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def gettext(self, message: str) -> str:
        return self.text if message == CAPTION else message


async def test_the_caption_is_in_each_language_and_a_missing_translation_is_not_repeated(
    sample_rooms: list[RoomNames],
) -> None:
    studio = next(room for room in sample_rooms if room.key == "studio-1")
    translated = {
        "ar": Catalog("امسح الرمز لمعرفة ما يجري في هذه القاعة الآن وما يليه"),
        "ms": Catalog("Imbas untuk melihat acara di bilik ini sekarang dan seterusnya"),
        "ur": Catalog(CAPTION),  # not translated yet: English, already on the sign
    }

    sign = room_sign(studio, "https://t.me/b_bot?start=room-6", localizers(translated), "x.png")

    assert [(c.locale, c.text) for c in sign.captions] == [
        ("en", CAPTION),
        ("ar", "امسح الرمز لمعرفة ما يجري في هذه القاعة الآن وما يليه"),
        ("ms", "Imbas untuk melihat acara di bilik ini sekarang dan seterusnya"),
    ]
    assert [(n.locale, n.text) for n in sign.names] == [
        ("en", "Workshop Studio 1"),
        ("ar", "استوديو ورش العمل 1"),
        ("ms", "Studio Bengkel 1"),
        ("ur", "ورکشاپ اسٹوڈیو 1"),
    ]
    placed = layout(sign)
    assert [p.kind for p in placed] == ["name"] * 4 + ["qr"] + ["caption"] * 3 + ["link"]
    assert all(0 < p.box[0] < p.box[2] < 1240 and p.box[3] < 1748 for p in placed)


async def test_a_room_without_translations_shows_its_own_name_once(
    sqlite_sample_db: str,
) -> None:
    with sqlite3.connect(database_file(sqlite_sample_db)) as db:
        db.execute(
            "DELETE FROM room_translations WHERE room_id ="
            " (SELECT id FROM rooms WHERE key = 'xr-lab')"
        )
        db.execute("UPDATE rooms SET name = 'XR  Lab\n' WHERE key = 'xr-lab'")
        db.execute("UPDATE events SET programme_version = programme_version + 1")
    engine = create_engine(sqlite_sample_db)
    try:
        rooms = await rooms_for_signs(
            ScheduleService(create_session_factory(engine), SystemClock())
        )
    finally:
        await engine.dispose()
    lab = next(room for room in rooms if room.key == "xr-lab")

    sign = room_sign(lab, "https://t.me/b_bot?start=room-8", localizers(), "x.png")

    assert [(n.locale, n.text) for n in sign.names] == [("en", "XR Lab")]
    assert ink(Image.open(BytesIO(render_sign(sign))).convert("L")).size[1] > 1000
