"""The catalog gate: extraction up to date, required catalogs complete, placeholders intact.

``python translations/check.py`` checks; ``--update`` extracts the messages,
merges them into every catalog and copies English msgids into the English one.
``pybabel compile --statistics`` is not used: it counts an empty plural entry
as translated.
"""

from __future__ import annotations

import argparse
import copy
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOCALES = ("vi", "en", "zh", "ko", "ja", "fr", "ru")
REQUIRED_COMPLETE = ("vi", "en")
# The base layout and error pages: every language must have these.
BASE_LAYOUT = (
    "core/templates/base.html",
    "core/templates/language_switcher.html",
    "core/templates/errors/error.html",
    "core/errors.py",
)
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def extract(output: Path, *inputs: str) -> Catalog:
    """Run pybabel extract exactly as the catalogs were made, and read the result."""
    command = [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract"]
    if inputs:
        paths = list(inputs)
    else:
        command += ["-F", str(HERE / "babel.cfg")]
        paths = ["."]
    command += [*KEYWORDS, "--no-location", "--sort-output", "-o", str(output), *paths]
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - our own fixed command
    with output.open("rb") as handle:
        return read_po(handle)


def catalog_path(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def placeholders(text: object) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(str(text))}


def placeholder_errors(locale: str, message: Message) -> list[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    expected = set().union(*(placeholders(i) for i in ids))
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [
        f"{locale}: placeholders {sorted(placeholders(s))} ≠ {sorted(expected)} in {ids[0]!r}"
        for s in strings
        if s and placeholders(s) != expected and not (len(ids) > 1 and placeholders(s) < expected)
    ]


def check(template: Catalog, base: set[str]) -> list[str]:
    problems = []
    wanted = {m.id for m in template if m.id}
    for locale in LOCALES:
        catalog = read_catalog(locale)
        have = {m.id for m in catalog if m.id}
        if have != wanted:
            problems.append(
                f"{locale}: catalog is out of date with the code: run `make translations`"
            )
        messages = [m for m in catalog if m.id]
        done = [m for m in messages if is_translated(m)]
        keys = {m.id if isinstance(m.id, str) else m.id[0] for m in done}
        missing_base = sorted(base - keys)
        print(f"{locale}: {len(done)}/{len(messages)} translated")
        if locale in REQUIRED_COMPLETE and len(done) < len(messages):
            untranslated = [m.id for m in messages if not is_translated(m)][:5]
            problems.append(f"{locale}: must be complete; untranslated: {untranslated}")
        elif missing_base:
            problems.append(f"{locale}: base layout untranslated: {missing_base[:5]}")
        for message in messages:
            problems.extend(placeholder_errors(locale, message))
    return problems


def update(template: Catalog) -> None:
    for locale in LOCALES:
        path = catalog_path(locale)
        catalog = read_catalog(locale)
        # update() shares the template's Message objects: give each catalog its own copy.
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "en":  # the msgids are English: the English catalog repeats them
            for message in catalog:
                if message.id and not is_translated(message):
                    message.string = message.id
                    message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=False, sort_output=True, no_location=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--update", action="store_true", help="extract and merge into every catalog"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        template = extract(Path(tmp) / "messages.pot")
        base_catalog = extract(Path(tmp) / "base.pot", *BASE_LAYOUT)
    if args.update:
        update(template)
    base = {m.id if isinstance(m.id, str) else m.id[0] for m in base_catalog if m.id}
    problems = check(template, base)
    for problem in problems:
        print("FAIL", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
