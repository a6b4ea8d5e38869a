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

SKIP = {"python-ldap", "pypiwin32", "rl-renderpm"}
RENAME = {"psycopg2": "psycopg2-binary"}


def _version_tuple(text):
    return tuple(int(p) for p in text.split("."))


def _marker_true(marker):
    """Evaluate the small marker language Odoo uses, with python >= 3.12."""
    py = max(sys.version_info[:2], (3, 12))
    expr = marker

    def python_cmp(match):
        op, ver = match.group(1), _version_tuple(match.group(2))
        left = py
        return str(
            {
                "<": left < ver,
                "<=": left <= ver,
                ">": left > ver,
                ">=": left >= ver,
                "==": left == ver,
                "!=": left != ver,
            }[op]
        )

    def platform_cmp(match):
        op, val = match.group(1), match.group(2)
        return str((sys.platform == val) == (op == "=="))

    expr = re.sub(r"python_version\s*(<=|>=|==|!=|<|>)\s*'([\d.]+)'", python_cmp, expr)
    expr = re.sub(r"sys_platform\s*(==|!=)\s*'(\w+)'", platform_cmp, expr)
    if not re.fullmatch(r"[\sTrueFalsndo()]*", expr):
        raise ValueError(f"unsupported marker: {marker!r}")
    return eval(expr)


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
