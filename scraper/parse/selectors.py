"""A small CSS-selector subset compiled to XPath, so parsers can keep readable selectors.

lxml's own CSS support needs the `cssselect` package, which the project does not depend on.
Supported: `tag`, `*`, `.class`, `#id`, `[attr]`, `[attr=v]`, `[attr~=v]`, `[attr^=v]`, `[attr$=v]`,
`[attr*=v]`, `[attr|=v]`, the descendant (space) and child (`>`) combinators, and `,` groups.
Selectors match descendants of the element they are applied to (never the element itself).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from lxml import etree
from lxml.html import HtmlElement

_TOKEN = re.compile(
    r"""
    (?P<ws>\s*>\s*|\s+)
    |(?P<tag>\*|[a-zA-Z][\w-]*)
    |\.(?P<cls>[\w-]+)
    |\#(?P<id>[\w-]+)
    |\[\s*(?P<attr>[\w:-]+)\s*(?:(?P<op>[~^$*|]?=)\s*(?P<val>"[^"]*"|'[^']*'|[^\]\s]+)\s*)?\]
    """,
    re.VERBOSE,
)


def _has_token(attr: str, value: str) -> str:
    # The cheap contains() first: libxml2 stops at the first false operand of `and`.
    return f"(contains(@{attr}, '{value}') and contains(concat(' ', normalize-space(@{attr}), ' '), ' {value} '))"


def _attr_condition(name: str, op: str | None, value: str | None) -> str:
    if op is None or value is None:
        return f"@{name}"
    value = value.strip("\"'")
    conditions = {
        "=": f"@{name}='{value}'",
        "~=": _has_token(name, value),
        "^=": f"starts-with(@{name}, '{value}')",
        "$=": f"substring(@{name}, string-length(@{name}) - {len(value) - 1})='{value}'",
        "*=": f"contains(@{name}, '{value}')",
        "|=": f"(@{name}='{value}' or starts-with(@{name}, '{value}-'))",
    }
    return conditions[op]


def _compile_one(selector: str) -> str:
    steps: list[str] = []
    axis, tag, conditions = "descendant::", "*", []
    pos = 0
    selector = selector.strip()
    while pos < len(selector):
        match = _TOKEN.match(selector, pos)
        if match is None:
            raise ValueError(f"unsupported CSS selector {selector!r} at {pos}")
        pos = match.end()
        if match["ws"] is not None:
            steps.append(axis + tag + "".join(f"[{c}]" for c in conditions))
            axis = "child::" if ">" in match["ws"] else "descendant::"
            tag, conditions = "*", []
        elif match["tag"]:
            tag = match["tag"].lower()
        elif match["cls"]:
            conditions.append(_has_token("class", match["cls"]))
        elif match["id"]:
            conditions.append(f"@id='{match['id']}'")
        else:
            conditions.append(_attr_condition(match["attr"], match["op"], match["val"]))
    steps.append(axis + tag + "".join(f"[{c}]" for c in conditions))
    return "/".join(steps)


@cache
def compile_css(selector: str) -> etree.XPath:
    """The XPath for a CSS selector (group), matching descendants in document order."""
    parts = [_compile_one(part) for part in selector.split(",") if part.strip()]
    return etree.XPath(" | ".join(parts))


@cache
def required_classes(selector: str) -> tuple[frozenset[str], ...]:
    """Per part of a selector group, the class names (`.a`) its compounds require: a part naming a
    class no element has cannot match."""
    parts = [part.strip() for part in selector.split(",") if part.strip()]
    return tuple(frozenset(m["cls"] for m in _TOKEN.finditer(part) if m["cls"]) for part in parts)


def select(element: HtmlElement, selector: str) -> list[HtmlElement]:
    """All descendants of `element` matching `selector`, in document order."""
    return list(compile_css(selector)(element))


def select_first(element: HtmlElement, selector: str) -> HtmlElement | None:
    found = compile_css(selector)(element)
    return found[0] if found else None


_SIMPLE = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?P<classes>(?:\.[\w-]+)+)$")
# A simple head, then the descendant combinator and anything (no group): `.a .b`, `div.a.b span[x]`.
_HEADED = re.compile(r"^(?P<head>(?:[a-z][a-z0-9]*)?(?:\.[\w-]+)+)\s+(?P<rest>[^\s>,][^,]*)$")


# `[attr=value]` alone (`[itemprop=articleBody]`): answered without a search when no element has the value.
_ATTRIBUTE_EQUALS = re.compile(r"^\[(?P<attr>[a-zA-Z][\w-]*)=(?P<value>[\w-]+)\]$")


@cache
def _attribute_xpath(name: str) -> etree.XPath:
    return etree.XPath(f"descendant-or-self::*/@{name}", smart_strings=False)


class ClassIndex:
    """Elements by class token, built once per page: `.a`, `tag.a.b` selectors are answered
    from it without an XPath scan of the whole tree; anything else falls back to XPath, unless
    the page lacks what it needs (a class it names, the value of a lone `[attr=value]`)."""

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self._by_class: dict[str, list[HtmlElement]] | None = None
        self._attribute_values: dict[str, frozenset[str]] = {}

    def _index(self) -> dict[str, list[HtmlElement]]:
        if self._by_class is None:
            found: defaultdict[str, list[HtmlElement]] = defaultdict(list)
            for element in self.root.iter(etree.Element):  # (cheaper than an XPath for those with a class)
                names = element.get("class")
                if names:
                    for token in names.split():
                        found[token].append(element)
            self._by_class = dict(found)
        return self._by_class

    def tokens(self) -> Iterable[str]:
        """Every class token in the page."""
        return self._index().keys()

    def attribute_values(self, name: str) -> frozenset[str]:
        """The values of the page's `name` attributes (one scan of the page per name)."""
        if name not in self._attribute_values:
            self._attribute_values[name] = frozenset(_attribute_xpath(name)(self.root))
        return self._attribute_values[name]

    def _may_match(self, selector: str) -> bool:
        """False when the page lacks what the selector needs: for every part of the group a class
        name, or the value of a lone `[attr=value]`."""
        compile_css(selector)  # an unsupported selector raises ValueError here, as select() would
        equals = _ATTRIBUTE_EQUALS.match(selector.strip())
        if equals is not None and equals["value"] not in self.attribute_values(equals["attr"]):
            return False
        tokens = self._index()
        return any(all(name in tokens for name in classes) for classes in required_classes(selector))

    def select(self, selector: str, scope: HtmlElement | None = None) -> list[HtmlElement]:
        """Like `select(scope or root, selector)`, in document order."""
        simple = _SIMPLE.match(selector.strip())
        if simple is None:
            if not self._may_match(selector):
                return []
            headed = _HEADED.match(selector.strip())
            if headed is not None:
                found = self._below(headed["head"], headed["rest"], scope)
                if found is not None:
                    return found
            return select(self.root if scope is None else scope, selector)
        first, *others = simple["classes"][1:].split(".")
        tag = simple["tag"]
        found = [
            el
            for el in self._index().get(first, ())
            if (tag is None or el.tag == tag) and all(c in (el.get("class") or "").split() for c in others)
        ]
        if scope is not None and scope is not self.root:
            found = [el for el in found if any(a is scope for a in el.iterancestors())]
        return found

    def _below(self, head: str, rest: str, scope: HtmlElement | None) -> list[HtmlElement] | None:
        """`head rest` (`.byline .name`, `.cat-links a`) as `rest` below each element the index
        gives for `head`: a search of those elements' subtrees rather than of the whole tree. None
        when one such element holds another (their matches would need merging into document order:
        the XPath does that)."""
        within = self.root if scope is None else scope
        heads = [el for el in self.select(head, scope) if el is not within]
        if len(heads) > 1:
            chosen = set(heads)
            if any(a in chosen for el in heads for a in el.iterancestors()):
                return None
        below = compile_css(rest)
        return [el for h in heads for el in below(h)]
