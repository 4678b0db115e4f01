"""Group titles per language: what staff read instead of a group's code (`sales_head` → "Sales head")."""
from __future__ import annotations

import time

from sqlalchemy import select

from engine.errors import InvalidInput, N_, NotFound
from engine.models import Group
from engine.persistence import Database

LOCALE_COLUMNS = {"en": "title_en", "zh-Hans": "title_zh_hans", "zh-Hant": "title_zh_hant"}
MAX_TITLE = 200
# How long a worker trusts its copy before reading the table again (an administrator may rename).
RECHECK_SECONDS = 5.0


class GroupTitles:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._titles: dict[str, dict[str, str]] = {}
        self._read = 0.0

    def title(self, name: str, locale: str) -> str:
        """The group's title in `locale`, else its English title, else its code."""
        if time.monotonic() - self._read > RECHECK_SECONDS:
            self._titles = self.all()
            self._read = time.monotonic()
        titles = self._titles.get(name, {})
        return titles.get(locale) or titles.get("en") or name

    def all(self) -> dict[str, dict[str, str]]:
        with self.db.unit_of_work(write=False) as session:
            return {group.name: {locale: getattr(group, column) for locale, column in LOCALE_COLUMNS.items()}
                    for group in session.scalars(select(Group))}

    def set_titles(self, name: str, titles: dict[str, str]) -> None:
        """Rename a group for readers in each language given; its code (lanes, candidate groups) stays."""
        unknown = sorted(set(titles) - set(LOCALE_COLUMNS))
        if unknown:
            raise InvalidInput(N_("unknown languages: %(languages)s"), languages=", ".join(unknown))
        cleaned = {locale: " ".join(text.split()) for locale, text in titles.items()}
        if any(len(text) > MAX_TITLE for text in cleaned.values()):
            raise InvalidInput(N_("a group title has at most %(limit)s characters"), limit=MAX_TITLE)
        with self.db.unit_of_work() as session:
            group = session.scalar(select(Group).where(Group.name == name))
            if group is None:
                raise NotFound(N_("no group '%(group)s'"), group=name)
            for locale, text in cleaned.items():
                setattr(group, LOCALE_COLUMNS[locale], text)
        self._read = 0.0
