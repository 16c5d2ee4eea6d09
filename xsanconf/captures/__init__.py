"""Captured state: what commands printed on a host, read into typed, read-only values.

One module per output (``/proc/drbd``, ``drbdadm status``, ``multipath -ll`` ...), each a pure
function of the text that never raises for what a real tool prints: lines it cannot place are
kept as :class:`~xsanconf.captures.common.Unread` (with their line numbers) for the caller
to report or ignore.  :mod:`xsanconf.captures.layout` knows where captures sit: an unpacked
sosreport, a supportconfig directory, or plain files in a host root's ``captures/`` folder.

Nothing here imports Lark or the linter: a capture parser costs one pass over its text.
"""
