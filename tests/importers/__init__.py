"""Importer specs on real schedule excerpts (data/README.md says where each comes from)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()
