"""Safe file names from untrusted ids: never outside the output folder, never colliding."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection

# Names Windows refuses whatever the extension; a notice may be opened there.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}
MAX_LENGTH = 64
HASH_LENGTH = 10
# What an appended hash looks like: a slug ending so gets one of its own, or the id
# "acme-<hash of Acme>" would share the file of "Acme".
_HASHED = re.compile(rf"-[0-9a-f]{{{HASH_LENGTH}}}$")


def safe_slug(identifier: str, *, reserved: Collection[str] = ()) -> str:
    """A file name made of ``[a-z0-9._-]`` for ``identifier``.

    When the slug is not the identifier itself (case folded, characters replaced,
    reserved by Windows or in ``reserved``, too long), or it ends like an appended
    hash does, a short hash of the identifier is appended, so two different ids
    never share a file. Any other identifier is its own slug.
    """
    ascii_text = unicodedata.normalize("NFKD", identifier).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9._-]+", "-", ascii_text.lower()).strip("-.")[:MAX_LENGTH]
    slug = slug.strip("-.") or "x"
    if slug.split(".")[0] in _RESERVED:
        slug = f"c-{slug}"  # "aux.txt" is a device on Windows, whatever follows the dot
    if slug != identifier or slug in reserved or _HASHED.search(slug):
        digest = hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()
        digest = digest[:HASH_LENGTH]
        slug = f"{slug}-{digest}"
    return slug
