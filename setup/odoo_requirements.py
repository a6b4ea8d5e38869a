"""Turn Odoo's requirements.txt into pins that install from wheels.

Odoo 18.0 pins, for Python 3.11, versions that no longer build with current
setuptools (cbor2 5.4.2, python-ldap without headers, psycopg2 from source).
Its pins for Python >= 3.12 ship wheels for 3.10 to 3.12 and work, so we
evaluate every environment marker as if the interpreter were at least 3.12.

Packages that only optional Odoo modules need and that compile from source
(python-ldap) are dropped; psycopg2 becomes psycopg2-binary (same module).

Usage: python odoo_requirements.py ODOO_SRC/requirements.txt > out.txt
"""

import re
import sys

try:
    from packaging.markers import InvalidMarker, Marker
except ImportError:  # a bare system Python: pip carries its own copy
    from pip._vendor.packaging.markers import InvalidMarker, Marker

__all__ = ["InvalidMarker", "convert"]

SKIP = {"python-ldap", "pypiwin32", "rl-renderpm"}
RENAME = {"psycopg2": "psycopg2-binary"}


def _marker_true(marker):
    """Evaluate an environment marker (PEP 508) as if the interpreter were
    at least Python 3.12, on this platform."""
    major, minor = max(sys.version_info[:2], (3, 12))
    version = f"{major}.{minor}"
    return Marker(marker).evaluate(
        {"python_version": version, "python_full_version": f"{version}.0"}
    )


def convert(lines):
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        spec, _sep, marker = line.partition(";")
        spec, marker = spec.strip(), marker.strip()
        if marker and not _marker_true(marker):
            continue
        name = re.split(r"[<>=!~ ]", spec, maxsplit=1)[0]
        if name.lower() in SKIP:
            continue
        if name.lower() in RENAME:
            spec = RENAME[name.lower()] + spec[len(name) :]
        yield spec


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        for spec in convert(handle):
            print(spec)
