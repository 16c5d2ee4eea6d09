"""Secrets in configuration text: CHAP passwords, DRBD shared secrets, VNC passwords.

Three tools, used wherever text from a configuration file is shown:

* :func:`redact_line` masks the value of a secret setting in one source line (it works on text
  that did not parse, too, so a syntax error on a password line does not print the password);
* :func:`secret_values` collects the secret values a text holds, so that a message, a fix or a
  related note that happens to quote one can be scrubbed with :func:`scrub`;
* :func:`redact` blanks secrets in plain-data directives (``xsanconf parse --json``); codecs
  whose files hold secrets expose it as their ``redact``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xsanconf.data import REDACTED, Directive

__all__ = ["REDACTED", "redact", "redact_line", "scrub", "secret_values"]

# keyword, separator, then the secret.  CHAP "IncomingUser name secret" keeps the name visible;
# iscsid's *password* keys ("password_length" is a number, not a secret, but masking it is
# harmless); drbd's shared-secret; xl/xend vncpasswd and spicepasswd.
_SECRET = re.compile(
    r"(?i)(?P<key>(?<![\w.-])(?:shared-secret|[\w.]*passw(?:or)?d[\w.]*|(?:Incoming|Outgoing)User))"
    r"(?P<sep>[ \t]*=[ \t]*|[ \t]+)(?P<value>.*)"
)
_VALUE_END = re.compile(r"""[\s,;"'\])]""")
_QUOTES = "\"'"
# What may stand before a setting's key: nothing, comment marks (a commented-out setting still
# holds a real secret), xend's "(", or list punctuation (xl's "vnc=1,vncpasswd=...").
_SETTING_START = re.compile(r"""(?:^[\s#;(]*|[,"'\[][ \t]*)$""")


def redact_line(line: str) -> str:
    """``line`` with the value of each secret setting on it masked with ``********``."""
    match = _SECRET.search(line)
    if match is None:
        return line
    value = match.group("value")
    if match.group("key").lower().endswith("user"):
        parts = value.split(None, 1)
        masked = f"{parts[0]} {REDACTED}" if len(parts) > 1 else value
    else:
        masked = REDACTED + (";" if value.rstrip().endswith(";") else "")
    return line[: match.start("value")] + masked


def _values_on(line: str) -> Iterable[str]:
    for match in _SECRET.finditer(line):
        if match.group("key").lower().endswith("_length"):  # a number, not a secret
            continue
        if not _SETTING_START.search(line[: match.start()]):
            continue  # prose ("# the password policy"): masked when shown, but no value
        value = match.group("value")
        if match.group("key").lower().endswith("user"):
            parts = value.split(None, 1)
            value = parts[1] if len(parts) > 1 else ""
        value = value.strip().rstrip(";").strip()
        # the whole value, and its first word without quotes (what a parser would quote)
        unquoted = value.strip(_QUOTES)
        words = [w for w in unquoted.split() if len(w) >= 3] if unquoted != value else []
        for found in (value, unquoted, _first_word(value), *words):
            if found:
                yield found


def _first_word(value: str) -> str:
    value = value.lstrip(_QUOTES)
    end = _VALUE_END.search(value)
    return value[: end.start()] if end else value


def secret_values(text: str) -> set[str]:
    """Every secret value set in ``text`` (as written, and without quotes)."""
    found: set[str] = set()
    for line in text.split("\n"):
        if line and _SECRET.search(line):
            found.update(_values_on(line.rstrip("\r")))
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of a secret value masked (longest first).

    Only whole occurrences count (not inside a longer word), so that a short secret does not
    mask every word it happens to be part of.  Values that cannot be told from the text around
    them are left alone (see :func:`_maskable`).
    """
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text and _maskable(secret):
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", REDACTED, text)
    return text


# The placeholders of the files distributions ship ("#node.session.auth.password = password",
# "#IncomingUser joe secret"): the words every message about credentials uses to name the
# setting, so masking them garbles each such message and hides nothing.
_PLACEHOLDERS = frozenset({"password", "password_in", "passwd", "secret"})
# Shorter values ("1", "''", the ")" of "(vncpasswd '')") stand for column numbers and
# punctuation in every message; the source lines that set them are masked all the same.
_MIN_MASKED = 3


def _maskable(secret: str) -> bool:
    return (
        len(secret) >= _MIN_MASKED
        and any(c.isalnum() for c in secret)
        and secret.lower() not in _PLACEHOLDERS
    )


_SECRET_NAME = re.compile(r"(?i)passw(?:or)?d|shared-secret")
_CHAP_ACCOUNT = frozenset({"incominguser", "outgoinguser"})
_INLINE_SECRET = re.compile(r"(?i)((?:vnc|spice)?passw(?:or)?d[ \t]*=[ \t]*)([^\s,;\"'\]]*)")


def redact(directive: Directive) -> Directive:
    """``directive`` with secret values blanked out (the setting's name and shape stay)."""
    name = directive.name.lower()
    args = directive.args
    if name in _CHAP_ACCOUNT and len(args) > 1:
        args = [args[0], REDACTED, *args[2:]]
    elif _SECRET_NAME.search(name) and not name.endswith("_length"):
        args = [REDACTED] if args else args
    else:
        args = [_INLINE_SECRET.sub(lambda m: m.group(1) + REDACTED, a) for a in args]
    if args == directive.args:
        return directive
    return Directive(directive.name, args, directive.block, directive.line)
