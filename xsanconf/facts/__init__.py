"""The facts layer: what the site's files mean, derived once from the models, for rules to share.

Per-host facts (``xsanconf.facts.drbd``: each host's effective DRBD resources;
``xsanconf.facts.ietd``: which ietd.conf ietd reads and who may log in;
``xsanconf.facts.iscsi``: the initiators' credentials and the targets' CHAP accounts) and site
facts (``xsanconf.facts.stack``: the storage stack indexed across hosts) are plain functions of the
site, memoised per site.  Rules declare the facts they use and receive them through their
context (:mod:`xsanconf.facts.registry`); the graph and the reporters read the same facts.

Facts never import rules (``xsanconf.lint.rules``): importing this package registers nothing
(``tests/lint/test_facts_layer.py``).  The per-format helpers of the SYN rules (keyword tables,
value checks) are not facts of the site and live in ``xsanconf.lint.facts``.
"""
