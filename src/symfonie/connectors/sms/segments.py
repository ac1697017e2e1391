"""How many SMS segments a text takes, and in which encoding (3GPP TS 23.038 and TS 23.040).

A text made only of characters of the GSM 7-bit default alphabet is sent as GSM-7: 160 septets
in one message, or 153 per segment once it is split (7 septets go to the concatenation header).
A character of the alphabet's extension table (``€``, ``[``, ``{`` …) is an escape plus a
character: 2 septets. Any other character makes the whole text UCS-2: 70 UTF-16 code units in
one message, 67 per segment; a character outside the Basic Multilingual Plane (most emoji) is a
surrogate pair, 2 code units. Neither an escape sequence nor a surrogate pair is split across
two segments, so a segment may end a unit short.

Pure Python: no Django, no I/O.
"""

from __future__ import annotations

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# TS 23.038 §6.2.1, the default alphabet in code order; 0x1B (the escape to the extension
# table) is not a character of its own and is left out
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# TS 23.038 §6.2.1.1, the default extension table: escape + character, 2 septets each
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {GSM7: 160, UCS2: 70}
PER_SEGMENT = {GSM7: 153, UCS2: 67}


def encoding_of(text: str) -> str:
    """GSM-7 when every character is in the default alphabet or its extension, else UCS-2."""
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return GSM7 if all(c in allowed for c in text) else UCS2


def _units(text: str, encoding: str) -> list[int]:
    """The size of each character: septets for GSM-7, UTF-16 code units for UCS-2."""
    if encoding == GSM7:
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def segments(text: str) -> tuple[str, int]:
    """(encoding, number of segments) of ``text``; an empty text is one segment."""
    encoding = encoding_of(text)
    units = _units(text, encoding)
    if sum(units) <= SINGLE[encoding]:
        return encoding, 1
    capacity, count, used = PER_SEGMENT[encoding], 1, 0
    for size in units:
        if used + size > capacity:  # the character does not fit: it opens the next segment
            count, used = count + 1, 0
        used += size
    return encoding, count
