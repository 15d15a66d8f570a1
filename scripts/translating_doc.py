"""TRANSLATING.md's console examples, produced by the tool itself.

Every block of the guide that shows what `vitrina locales ...` prints is marked
`<!-- example: NAME -->` before its ```console fence. This script walks a
translator's path on a scratch copy of the project's locales (add French, list,
compile, check, try to enable, add a payment method, add pt_BR), runs the real
commands and writes their real output into the blocks, so the figures (string
counts, coverage, plural rules) are never stale.

    python scripts/translating_doc.py          # rewrite TRANSLATING.md
    python scripts/translating_doc.py --check  # exit 1 when TRANSLATING.md is stale (CI)
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from locales import tooling  # noqa: E402
from vitrina.cli import main  # noqa: E402

GUIDE = ROOT / "TRANSLATING.md"
BLOCK = re.compile(r"(<!-- example: (?P<name>[\w-]+) -->\n```console\n)(?P<body>.*?)(```)", re.S)
NEW_METHOD = ("carte_bancaire", "Carte Bancaire")


class Walkthrough:
    """Runs `vitrina locales` commands on a scratch copy and records what they print."""

    def __init__(self, scratch: Path) -> None:
        self.locales_dir = scratch / "locales"
        shutil.copytree(
            tooling.LOCALES_DIR,
            self.locales_dir,
            ignore=shutil.ignore_patterns("*.py", "__pycache__"),
        )
        self.examples: dict[str, str] = {}

    def run(self, *args: str) -> str:
        """`$ vitrina locales ARGS` and its output (stdout and stderr), paths made relative."""
        result = CliRunner().invoke(
            main,
            ["locales", "--locales-dir", str(self.locales_dir), "--root", str(ROOT), *args],
        )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        output = result.output.replace(str(self.locales_dir), "locales")
        return f"$ vitrina locales {' '.join(args)}\n{output}"

    def record(self, name: str, *commands: tuple[str, ...], keep: Callable[[str], str] = str):
        self.examples[name] = "".join(keep(self.run(*command)) for command in commands)

    def translate(self, code: str) -> None:
        """Stand-in for a translator's work: every msgstr filled (with the English text)."""
        path = tooling.catalog_path(self.locales_dir, code)
        catalog = tooling.read_catalog(path, code)
        for message in catalog:
            if message.id:
                plural = catalog.num_plurals * (message.id[-1],)
                message.string = plural if message.pluralizable else message.id
        tooling.write_catalog(path, catalog)

    def offer_payment_method(self, country: str) -> None:
        """What an operator does first: the new key in the country's payment_methods."""
        key, _name = NEW_METHOD
        countries = self.locales_dir / "countries.toml"
        text = countries.read_text(encoding="utf-8")
        start = text.index(f"[countries.{country}]")
        line = text.index("payment_methods = [", start)
        text = text[:line] + text[line:].replace("[", f'["{key}", ', 1)
        countries.write_text(text, encoding="utf-8")

    def name_payment_method(self) -> None:
        """Then its English name in labels.toml."""
        key, name = NEW_METHOD
        labels = self.locales_dir / "labels.toml"
        text = labels.read_text(encoding="utf-8")
        labels.write_text(
            text.replace("[payment_methods]\n", f'[payment_methods]\n{key} = "{name}"\n', 1),
            encoding="utf-8",
        )


def shorten(lines: int) -> Callable[[str], str]:
    """Keep the first `lines` lines of an output (the command included), then an ellipsis."""

    def keep(output: str) -> str:
        kept = output.splitlines()
        return "\n".join(kept[:lines] + (["..."] if len(kept) > lines else [])) + "\n"

    return keep


def only(*patterns: str) -> Callable[[str], str]:
    """Keep the command line and the output lines matching any of `patterns`."""

    def keep(output: str) -> str:
        first, *rest = output.splitlines()
        shown = [line for line in rest if any(re.search(p, line) for p in patterns)]
        return "\n".join([first, *shown]) + "\n"

    return keep


def examples() -> dict[str, str]:
    """Every example of the guide, by name, in the order a translator meets them."""
    with tempfile.TemporaryDirectory() as scratch:
        walk = Walkthrough(Path(scratch))
        walk.record("add", ("add", "fr"))
        walk.record("list", ("list",))
        walk.record("compile", ("compile",))
        walk.record("check", ("check",))
        walk.record("enable", ("enable", "fr"), keep=shorten(6))
        walk.translate("fr")
        walk.record("enabled", ("compile",), ("enable", "fr"), keep=only(r"^fr"))
        walk.offer_payment_method("DE")
        walk.record("payment-unnamed", ("check",), keep=only(r"^error:", r"failed"))
        walk.name_payment_method()
        walk.record("payment-check", ("check",), keep=only(r"^error:", r"failed"))
        walk.record("payment-extract", ("extract",), ("update",))
        walk.record(
            "payment-untranslated", ("check",), keep=only(r"^\w+: 1 untranslated", r"failed")
        )
        walk.record("pt-br", ("add", "pt_BR"))
        return walk.examples


def render(guide: str, produced: dict[str, str]) -> str:
    """The guide with each example block's body replaced by what the tool printed."""
    missing = set(produced) - {m["name"] for m in BLOCK.finditer(guide)}
    if missing:
        raise SystemExit(f"TRANSLATING.md has no block for: {', '.join(sorted(missing))}")

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in produced:
            raise SystemExit(f"TRANSLATING.md: no example named {name!r}")
        return match.group(1) + produced[name] + match.group(4)

    return BLOCK.sub(fill, guide)


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if TRANSLATING.md is stale")
    args = parser.parse_args()
    current = GUIDE.read_text(encoding="utf-8")
    updated = render(current, examples())
    if args.check:
        if updated != current:
            print("TRANSLATING.md is stale: run python scripts/translating_doc.py", file=sys.stderr)
            return 1
        return 0
    if updated != current:
        GUIDE.write_text(updated, encoding="utf-8")
        print("TRANSLATING.md updated")
    else:
        print("TRANSLATING.md is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
