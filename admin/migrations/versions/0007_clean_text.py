"""Clean the text already stored, as admin/text.py now cleans text on the way in

Control characters, Unicode line separators, bidi overrides and (in one-line fields) zero-width
characters go; text is NFC-normalised. A row whose cleaned value would collide with another's
unique value (two windows "01" and "01" + a zero-width space) is left as it is.

The cleaning is copied here, frozen, so that this revision does the same thing however
admin/text.py changes later. The audit log is left untouched: it is the record of what was sent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""
import json
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ufeff]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\u00ad]")
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
_JOIN_CJK = re.compile(rf"(?<={_CJK})\n(?={_CJK})")
_SPACES = re.compile(r"[ \u00a0\u3000]{2,}")


def _common(value):
    value = _BREAKS.sub("\n", unicodedata.normalize("NFC", value))
    return _CONTROLS.sub("", value.replace("\t", " "))


def clean_line(value):
    value = _ZERO_WIDTH.sub("", _common(value))
    value = _JOIN_CJK.sub("", value.strip("\n")).replace("\n", " ")
    return _SPACES.sub(" ", value).strip()


def clean_paragraph(value):
    value = "\n".join(line.rstrip() for line in _common(value).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", value).strip()


# table: (primary key, one-line columns, multi-line columns, JSON lists of one-line texts)
TABLES = {
    "departments": ("id", ["name"], ["description"], []),
    "windows": ("id", ["number", "name"], ["description"], []),
    "staff": ("id", ["name", "title", "party_post"], ["duties"], ["designations"]),
    "standards": ("id", ["item_name", "time_limit", "fees"], ["description", "legal_basis", "service_language"],
                  ["steps", "materials"]),
    "pledges": ("id", [], ["text"], []),
    "honors": ("id", ["title", "issuer"], [], []),
    "notices": ("id", ["title"], ["text"], []),
    "playlists": ("id", ["name"], [], []),
    "screen_groups": ("id", ["name"], [], []),
    "schedules": ("id", ["name"], [], []),
    "screens": ("id", ["name"], [], []),
    "kiosks": ("id", ["name"], [], []),
    "users": ("id", ["display_name"], [], []),
    "api_tokens": ("id", ["name"], [], []),
    "campaign_phases": ("id", ["name"], ["description"], []),
    "calendar_days": ("day", ["note"], [], []),
    "review_rounds": ("id", ["title"], [], []),
    "skill_results": ("id", ["contest", "award", "title"], ["note"], []),
    "rating_prompts": ("id", ["case_no"], [], []),
    "reminders": ("id", ["text"], [], []),
    "suggestions": ("id", [], ["text", "reply"], []),
    "ratings": ("id", [], ["comment"], []),
    "reviews": ("id", [], ["comment"], []),
    "rating_appeals": ("id", [], ["reason", "decision_note"], []),
    "rectifications": ("id", [], ["problem", "measure", "dismissed_reason", "evidence", "callback_note"], []),
    "rectification_events": ("id", [], ["note"], []),
}
PAGE = 2000


def _clean_list(raw):
    items = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(items, list):
        return items
    out = []
    for item in items:
        item = clean_line(item) if isinstance(item, str) else item
        if item != "" and item not in out:
            out.append(item)
    return out


def _clean_table(conn, name, pk, lines, paragraphs, lists):
    columns = [pk, *lines, *paragraphs, *lists]
    table = sa.table(name, *[sa.column(c, sa.JSON() if c in lists else None) for c in columns])
    key = table.c[pk]
    last = None
    while True:
        query = sa.select(*[table.c[c] for c in columns]).order_by(key).limit(PAGE)
        if last is not None:
            query = query.where(key > last)
        rows = conn.execute(query).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        for row in rows:
            values = dict(zip(columns, row))
            changed = {}
            for column in lines + paragraphs:
                text = values[column]
                if isinstance(text, str):
                    cleaned = clean_line(text) if column in lines else clean_paragraph(text)
                    if cleaned != text and (cleaned or not text.strip()):   # never blank out a name
                        changed[column] = cleaned
            for column in lists:
                if values[column] is not None:
                    cleaned = _clean_list(values[column])
                    if cleaned != values[column]:
                        changed[column] = cleaned
            if changed:
                savepoint = conn.begin_nested()
                try:
                    conn.execute(table.update().where(key == values[pk]).values(**changed))
                    savepoint.commit()
                except sa.exc.IntegrityError:
                    savepoint.rollback()   # the cleaned value is another row's: leave this one


def upgrade():
    conn = op.get_bind()
    for name, (pk, lines, paragraphs, lists) in TABLES.items():
        _clean_table(conn, name, pk, lines, paragraphs, lists)
    settings = sa.table("settings", sa.column("key"), sa.column("value", sa.JSON()))
    hall = conn.execute(sa.select(settings.c.value).where(settings.c.key == "hall_name")).scalar()
    if isinstance(hall, str) and clean_line(hall) != hall and clean_line(hall):
        conn.execute(settings.update().where(settings.c.key == "hall_name").values(value=clean_line(hall)))


def downgrade():
    pass   # what was removed was never meant to be there
