# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The collection dossier: a zip of documents, the same bytes for the same
documents (fixed timestamps, entries in the given order)."""

import io
import re
import zipfile
from collections import Counter

STAMP = (1980, 1, 1, 0, 0, 0)


def safe_name(text):
    """``text`` usable as a file or folder name in any zip reader."""
    return re.sub(r"[^\w.\- ]+", "_", str(text or "")).strip(" .") or "_"


def build_zip(entries):
    """A zip of ``entries``, ``[(path, bytes), ...]``; a repeated path is
    refused rather than silently overwritten."""
    counts = Counter(path for path, _data in entries)
    duplicates = sorted(path for path, count in counts.items() if count > 1)
    if duplicates:
        raise ValueError(
            "Duplicate file(s) in the dossier: {}".format(", ".join(duplicates))
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in entries:
            info = zipfile.ZipInfo(path, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
