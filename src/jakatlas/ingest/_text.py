"""Byte-level checks and decoding shared by every reader (binary sniffing, BOMs, newlines, NFC)."""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata

from jakatlas.errors import InputError

__all__ = [
    "ACCEPTED",
    "DEFAULT_MAX_BYTES",
    "MAX_BYTES_ENV",
    "SNIFF_BYTES",
    "check_not_binary",
    "decode_bytes",
    "default_max_bytes",
    "normalize_text",
    "sha256_hex",
    "utf16_without_bom",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_BYTES_ENV = "JAKATLAS_MAX_INPUT_MB"
SNIFF_BYTES = 8192
ACCEPTED = "plain text, HTML, PubMed XML or ClinicalTrials.gov v2 JSON"

# Bytes that never occur in text files (TAB, LF, VT, FF, CR and ESC are allowed).
_CONTROL = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20)) | {0x7F}
_CONTROL_BYTES = bytes(sorted(_CONTROL))
_CONTROL_CHARS = tuple(chr(c) for c in sorted(_CONTROL))

_CONTROL_RATIO = 0.10
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document; convert it to text first"),
    (b"PK\x03\x04", "a ZIP archive or Office document; save it as text or HTML first"),
    (b"\x1f\x8b", "a gzip archive; decompress it first"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Office document; save it as text or HTML first"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def default_max_bytes() -> int:
    """The input size limit: ``$JAKATLAS_MAX_INPUT_MB`` megabytes when set, else 64 MB."""
    value = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(value)
    except ValueError:
        raise InputError(
            f"{MAX_BYTES_ENV}={value!r} is not a number; set it to a size in megabytes, e.g. 128."
        ) from None
    if megabytes <= 0:
        raise InputError(f"{MAX_BYTES_ENV}={value!r} must be positive; set it to a size in megabytes.")
    return int(megabytes * 1024 * 1024)


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _bom(raw: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding, len(bom)
    return None


def utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when ``head`` is BOM-less UTF-16 (ASCII-range text), else None."""
    sample = head[: SNIFF_BYTES - SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.9 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.9 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _controls(sample: str) -> int:
    return sum(map(sample.count, _CONTROL_CHARS))


def check_not_binary(head: bytes, label: str) -> None:
    """Raise :class:`InputError` when the first bytes look like a binary file, not text."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InputError(f"{label} looks like a binary file ({what}); give {ACCEPTED}.")
    bom = _bom(head)
    if bom is not None and bom[0] != "utf-8":
        sample = head[bom[1] : SNIFF_BYTES].decode(bom[0], "replace")
        controls = _controls(sample)
    elif (encoding := utf16_without_bom(head)) is not None:
        sample = head[:SNIFF_BYTES].decode(encoding, "replace")
        controls = _controls(sample)
    else:
        sample_bytes = head[:SNIFF_BYTES]
        if b"\x00" in sample_bytes:
            raise InputError(f"{label} looks like a binary file (it contains NUL bytes); give {ACCEPTED}.")
        sample = sample_bytes.decode("latin-1")
        controls = len(sample_bytes) - len(sample_bytes.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > _CONTROL_RATIO:
        raise InputError(
            f"{label} looks like a binary file ({controls} control characters in its first "
            f"{len(sample)}); give {ACCEPTED}."
        )


def decode_bytes(raw: bytes, label: str) -> tuple[str, list[str]]:
    """Decode ``raw`` as UTF-8 (BOM allowed) or BOM-marked UTF-16/32; normalise newlines and NFC.

    Invalid UTF-8 is replaced with U+FFFD and reported in the returned warnings, naming the byte
    offset of the first bad byte.
    """
    warnings: list[str] = []
    bom = _bom(raw)
    if bom is not None and bom[0] != "utf-8":
        encoding, skip = bom
    elif (guess := utf16_without_bom(raw[:SNIFF_BYTES])) is not None:
        encoding, skip = guess, 0
    else:
        encoding, skip = "utf-8", (3 if bom is not None else 0)
    data = memoryview(raw)[skip:]
    try:
        text = str(codecs.decode(data, encoding, "strict")) if encoding != "utf-8" else _utf8(data)
    except UnicodeDecodeError as exc:
        text = str(codecs.decode(data, encoding, "replace"))
        warnings.append(
            f"{label}: invalid {encoding.upper()} at byte offset {exc.start + skip}; "
            "undecodable bytes were replaced with U+FFFD (re-save the file as UTF-8 to avoid this)."
        )
    return normalize_text(text), warnings


def _utf8(data: memoryview) -> str:
    text, _consumed = codecs.utf_8_decode(data, "strict", True)
    return text


def normalize_text(text: str) -> str:
    """``\\r\\n`` and ``\\r`` become ``\\n``; the text is put in Unicode NFC."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text
