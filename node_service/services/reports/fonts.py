"""The CJK TrueType font embedded (subset) in every report.

ReportLab embeds TrueType outlines (``glyf``) only, not CFF/PostScript outlines, so the Noto CJK OpenType
collections (Debian fonts-noto-cjk) cannot be used; WenQuanYi Zen Hei (Debian fonts-wqy-zenhei) can, and its
collection also holds a monospaced face for hashes. ``TANLIAN_REPORT_FONT`` names another TrueType font or
collection (face 0 is used for text and, for a collection, face 1 for hashes when it exists).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from node_service.services.reports.errors import ReportFontMissing

__all__ = ["DEBIAN_FONT_PACKAGE", "FONT_CANDIDATES", "ReportFonts", "find_report_fonts", "report_fonts"]

DEBIAN_FONT_PACKAGE = "fonts-wqy-zenhei"
ENV_FONT = "TANLIAN_REPORT_FONT"

#: (path, text face index, monospaced face index or None), searched in order.
FONT_CANDIDATES: tuple[tuple[str, int, int | None], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, 1),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, 1),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, None),
)

#: A character every usable font must have: the first of 碳链 (tanlian).
PROBE_CHARACTER = "碳"

#: Characters the report may contain that some CJK fonts lack, with a plain replacement.
REPLACEMENTS = {"\u2212": "-", "\u2011": "-", "\u00a0": " ", "\u202f": " "}


@dataclass(frozen=True)
class ReportFonts:
    """Registered ReportLab font names, the file they come from, and the code points it covers."""

    text: str
    mono: str
    path: str
    covered: frozenset[int]

    def sanitise(self, text: str) -> str:
        """``text`` with characters the font lacks replaced (``−`` → ``-``; anything else unknown → ``?``)."""
        out = []
        for ch in text:
            if ord(ch) in self.covered or ch in "\n\t":
                out.append(ch)
            else:
                out.append(REPLACEMENTS.get(ch, "?"))
        return "".join(out)


_lock = threading.Lock()
_loaded: ReportFonts | None = None


def _candidates() -> list[tuple[str, int, int | None]]:
    chosen = os.environ.get(ENV_FONT)
    if chosen:
        mono = 1 if chosen.lower().endswith(".ttc") else None
        return [(chosen, 0, mono)]
    return list(FONT_CANDIDATES)


def _load(path: str, text_index: int, mono_index: int | None) -> ReportFonts:
    try:
        text = TTFont("TanlianCJK", path, subfontIndex=text_index)
    except TTFError as exc:
        raise ReportFontMissing(
            f"report font {path}: cannot be embedded ({exc})",
            fix=f"use a TrueType font with glyf outlines, e.g. Debian {DEBIAN_FONT_PACKAGE}; CFF/OpenType "
            f"fonts such as Noto Sans CJK are not supported by the PDF writer",
        ) from exc
    covered = frozenset(text.face.charToGlyph)
    if ord(PROBE_CHARACTER) not in covered:
        raise ReportFontMissing(
            f"report font {path}: has no Chinese glyphs ({PROBE_CHARACTER!r} missing)",
            fix=f"install Debian {DEBIAN_FONT_PACKAGE} or point {ENV_FONT} at a CJK TrueType font",
        )
    pdfmetrics.registerFont(text)
    mono_name = "TanlianCJK"
    if mono_index is not None:
        try:
            pdfmetrics.registerFont(TTFont("TanlianCJKMono", path, subfontIndex=mono_index))
            mono_name = "TanlianCJKMono"
        except TTFError:
            mono_name = "TanlianCJK"
    return ReportFonts(text="TanlianCJK", mono=mono_name, path=path, covered=covered)


def find_report_fonts(candidates: list[tuple[str, int, int | None]] | None = None) -> ReportFonts:
    """Load and register the first candidate font that exists (``candidates`` default: env, then Debian paths).

    Raises :class:`ReportFontMissing` naming the paths searched and the Debian package to install.
    """
    candidates = _candidates() if candidates is None else candidates
    for path, text_index, mono_index in candidates:
        if Path(path).is_file():
            return _load(path, text_index, mono_index)
    searched = ", ".join(p for p, _, _ in candidates)
    raise ReportFontMissing(
        f"report font: no CJK TrueType font found (searched {searched})",
        fix=f"install the Debian package {DEBIAN_FONT_PACKAGE} (apt-get install {DEBIAN_FONT_PACKAGE}) "
        f"or set {ENV_FONT} to a TrueType CJK font file",
    )


def report_fonts() -> ReportFonts:
    """The report fonts, found, loaded and registered once per process (see :func:`find_report_fonts`)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = find_report_fonts()
        return _loaded
