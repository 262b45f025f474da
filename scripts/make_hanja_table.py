"""Write digest/data/hanja.txt, the Hanja -> Hangul reading table the protected-terms check uses.

The facts come from Unicode's Unihan database: the kHangul field (the modern Korean readings
of each ideograph) of Unihan_Readings.txt and, for a simplified Chinese character that has no
reading of its own, the readings of its traditional form (kTraditionalVariant in
Unihan_Variants.txt), so a Korean name printed in simplified characters is read too. A CJK
compatibility ideograph (U+F900 block) gives its readings to the unified ideograph NFKC turns
it into, since text is normalised before it is read.

Each line of the output is one Hangul syllable followed by every ideograph read that way.

Run it after a Unicode update, with the folder that holds the unzipped Unihan.zip of that
version (unicode.org, Public/<version>/ucd/Unihan.zip):

    python scripts/make_hanja_table.py UNIHAN_FOLDER
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "digest" / "data" / "hanja.txt"
_LINE = re.compile(r"^U\+([0-9A-F]+)\t(k\w+)\t(.+)$")


def read_field(path: Path, field: str) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match and match.group(2) == field:
            found[chr(int(match.group(1), 16))] = match.group(3)
    return found


def readings(folder: Path) -> dict[str, set[str]]:
    """Ideograph -> its Hangul readings."""
    out: dict[str, set[str]] = defaultdict(set)
    for char, value in read_field(folder / "Unihan_Readings.txt", "kHangul").items():
        # "리:0E 이:0": a syllable, then the sources it is attested in
        syllables = {item.split(":")[0] for item in value.split()}
        out[unicodedata.normalize("NFKC", char)] |= syllables
    for simple, traditional in read_field(folder / "Unihan_Variants.txt", "kTraditionalVariant").items():
        if simple in out:
            continue
        for code in traditional.split():
            out[simple] |= out.get(chr(int(code.removeprefix("U+"), 16)), set())
    return {char: found for char, found in out.items() if found}


def table(by_char: dict[str, set[str]]) -> str:
    by_syllable: dict[str, set[str]] = defaultdict(set)
    for char, syllables in by_char.items():
        for syllable in syllables:
            if "\uac00" <= syllable <= "\ud7a3":
                by_syllable[syllable].add(char)
    lines = [syllable + "".join(sorted(chars)) for syllable, chars in sorted(by_syllable.items())]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("unihan", type=Path, help="folder with Unihan_Readings.txt and Unihan_Variants.txt")
    args = parser.parse_args()
    header = (args.unihan / "Unihan_Readings.txt").read_text(encoding="utf-8").splitlines()[:8]
    version = next((line.split(":", 1)[1].strip() for line in header if "Unicode version" in line), "?")
    notice = (
        f"# Hanja -> Hangul readings (Unihan kHangul, Unicode {version}; written by "
        "scripts/make_hanja_table.py).\n"
        "# Data from the Unicode Character Database, Copyright Unicode, Inc.; distributed under\n"
        "# the Unicode License (https://www.unicode.org/license.txt).\n"
        "# Each line: one Hangul syllable, then every ideograph read that way.\n"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(notice + table(readings(args.unihan)), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
