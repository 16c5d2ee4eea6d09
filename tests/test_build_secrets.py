"""Redacted data is never built back as a value: ``********`` is not a password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import xsanconf
from xsanconf.cli.main import app
from xsanconf.data import REDACTED, RedactedSecretError

runner = CliRunner()

# kind, file name, text holding a secret, the secret
SECRETS = [
    (
        "drbd",
        "r0.res",
        'resource r0 {\n\tnet {\n\t\tshared-secret "s3cr3tpass";\n\t}\n}\n',
        "s3cr3tpass",
    ),
    (
        "ietd",
        "ietd.conf",
        "Target iqn.2001-04.com.example:t\n\tIncomingUser joe chapsecret12\n",
        "chapsecret12",
    ),
    ("iscsid", "iscsid.conf", "node.session.auth.password = chapsecret12\n", "chapsecret12"),
    (
        "iscsi-node",
        "default",
        "# BEGIN RECORD 2.0-873\nnode.session.auth.password = chapsecret12\n# END RECORD\n",
        "chapsecret12",
    ),
    ("xen-domain", "vm1.cfg", "vfb = [ 'vnc=1,vncpasswd=vncsecret' ]\n", "vncsecret"),
]


@pytest.mark.parametrize(("kind", "name", "text", "secret"), SECRETS, ids=[s[0] for s in SECRETS])
def test_build_refuses_redacted_secrets(
    tmp_path: Path, kind: str, name: str, text: str, secret: str
) -> None:
    conf = tmp_path / name
    conf.write_text(text)
    parsed = runner.invoke(app, ["parse", "--json", "-k", kind, str(conf)])
    assert parsed.exit_code == 0 and secret not in parsed.output
    exported = tmp_path / "x.json"
    exported.write_text(parsed.output)
    built = runner.invoke(app, ["build", str(exported)])
    assert built.exit_code == 1
    assert REDACTED not in built.stdout
    assert "parse --json --show-secrets" in built.output
    entry = json.loads(parsed.output)["config"][0]
    with pytest.raises(RedactedSecretError, match="placeholder"):
        xsanconf.from_data({"kind": entry["kind"], "directives": entry["parsed"]})

    shown = runner.invoke(app, ["parse", "--json", "--show-secrets", "-k", kind, str(conf)])
    exported.write_text(shown.output)
    built = runner.invoke(app, ["build", str(exported)])
    assert built.exit_code == 0 and secret in built.stdout


def test_the_placeholder_outside_a_secret_is_a_value() -> None:
    data = {
        "kind": "drbd",
        "directives": [
            {
                "name": "global",
                "block": [
                    {"name": "usage-count", "args": ["no"]},
                ],
            },
            {
                "name": "resource",
                "args": ["r0"],
                "block": [
                    {"name": "net", "block": [{"name": "cram-hmac-alg", "args": [REDACTED]}]},
                ],
            },
        ],
    }
    assert REDACTED in xsanconf.from_data(data).render()
