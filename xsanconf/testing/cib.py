"""Hypothesis strategies that build CIB XML: resources, attribute sets, constraints, odd trivia."""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["cib_documents"]

_ids = st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True)
# attribute values: text that needs escaping too, and characters beyond ASCII
_values = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"), max_size=12
).map(lambda v: v.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;"))
_space = st.sampled_from(["", "\n", "\n  ", "\r\n\t", " "])
_quote = st.sampled_from(['"', "'"])


@st.composite
def _nvpair(draw: st.DrawFn) -> str:
    q = draw(_quote)
    name = draw(st.sampled_from(["notify", "drbd_resource", "passwd", "path", "x"]))
    value = draw(_values).replace(q, "&apos;" if q == "'" else "&quot;")
    return f"<nvpair id={q}{draw(_ids)}{q} name={q}{name}{q} value={q}{value}{q}/>"


@st.composite
def _attribute_set(draw: st.DrawFn, tag: str) -> str:
    pairs = draw(st.lists(_nvpair(), max_size=3))
    inner = "".join(draw(_space) + p for p in pairs)
    return f'<{tag} id="{draw(_ids)}">{inner}{draw(_space)}</{tag}>'


@st.composite
def _primitive(draw: st.DrawFn) -> str:
    agent = draw(
        st.sampled_from(
            [
                'class="ocf" provider="linbit" type="drbd"',
                'class="ocf" provider="heartbeat" type="iSCSILogicalUnit"',
                'class="stonith" type="fence_ipmilan"',
            ]
        )
    )
    sets = draw(st.lists(st.sampled_from(["instance_attributes", "meta_attributes"]), max_size=2))
    inner = "".join(draw(_space) + draw(_attribute_set(tag)) for tag in sets)
    if not inner and draw(st.booleans()):
        return f'<primitive id="{draw(_ids)}" {agent}/>'
    return f'<primitive id="{draw(_ids)}" {agent}>{inner}{draw(_space)}</primitive>'


@st.composite
def _resource(draw: st.DrawFn) -> str:
    inner = draw(_primitive())
    wrapper = draw(st.sampled_from(["", "clone", "master", "group"]))
    if not wrapper:
        return inner
    return f'<{wrapper} id="{draw(_ids)}">{draw(_space)}{inner}{draw(_space)}</{wrapper}>'


@st.composite
def _constraint(draw: st.DrawFn) -> str:
    a, b = draw(_ids), draw(_ids)
    return draw(
        st.sampled_from(
            [
                f'<rsc_order id="o-{a}" first="{a}" first-action="promote" then="{b}"/>',
                f'<rsc_colocation id="c-{a}" rsc="{b}" with-rsc="{a}" with-rsc-role="Master"'
                ' score="INFINITY"/>',
                f'<rsc_location id="l-{a}" rsc="{a}" node="{b}" score="-INFINITY"/>',
                f'<rsc_order id="s-{a}"><resource_set id="s1-{a}" action="promote">'
                f'<resource_ref id="{a}"/></resource_set><resource_set id="s2-{a}">'
                f'<resource_ref id="{b}"/></resource_set></rsc_order>',
            ]
        )
    )


@st.composite
def cib_documents(draw: st.DrawFn) -> str:
    """A CIB: maybe an XML declaration and comments, properties, resources, constraints."""
    head = draw(
        st.sampled_from(["", '<?xml version="1.0"?>\n', '<?xml version="1.0" ?>\n<!-- x -->\n'])
    )
    props = draw(_attribute_set("cluster_property_set"))
    resources = "".join(draw(_space) + r for r in draw(st.lists(_resource(), max_size=3)))
    constraints = "".join(draw(_space) + c for c in draw(st.lists(_constraint(), max_size=3)))
    text = (
        f'{head}<cib epoch="1">{draw(_space)}<configuration><crm_config>{props}</crm_config>'
        f"<nodes/><resources>{resources}</resources><constraints>{constraints}</constraints>"
        f"</configuration>{draw(_space)}<status/></cib>"
    )
    return text + draw(st.sampled_from(["", "\n", "\r\n", "\n<!-- end -->\n"]))
