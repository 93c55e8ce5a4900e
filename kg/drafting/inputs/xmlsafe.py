"""Parse XML that came from outside: no network, no DTD, no entities expanded, libxml2's size limits kept."""

from __future__ import annotations

import re

from lxml import etree

from kg.drafting.inputs.limits import refuse

__all__ = ["local", "parse_xml", "text_of"]

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def parse_xml(data: bytes, where: str) -> etree._Element:
    """The root element of ``data``.

    A document that declares entities (an internal DTD subset with ``<!ENTITY``: the way XML bombs
    and external-entity reads are written) is refused before parsing; the parser itself never loads a
    DTD, resolves an entity or touches the network.

    :raises ArticleError: naming the line of an entity declaration or of the syntax error.
    """
    # anywhere, not only near the doctype: a subset padded with declarations or comments still declares it
    if (match := _ENTITY.search(data)) is not None:
        line = data.count(b"\n", 0, match.start()) + 1
        raise refuse(f"{where}:{line}", "the XML declares an entity (<!ENTITY); the drafter never expands "
                                        "entities or reads DTDs: remove the DOCTYPE's internal subset")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise refuse(f"{where}:{line}", f"not well-formed XML: {exc.msg}") from exc
    return root


def local(element: etree._Element | None) -> str:
    """An element's name without its namespace ("" for none)."""
    if element is None:
        return ""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def text_of(element: etree._Element | None, skip: tuple[str, ...] = ()) -> str:
    """The text of an element and its descendants (minus those named in ``skip``), white space collapsed."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if local(node) in skip:
            if node.tail:
                parts.append(node.tail)
            return
        if node is not element and (exponent := _exponent(node, parts)) is not None:
            parts.append(exponent + (node.tail or ""))
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node is not element and node.tail:
            parts.append(node.tail)

    walk(element)
    return " ".join("".join(parts).split())


_SUPERSCRIPT = str.maketrans("0123456789-−+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻⁺")
_EXPONENT = re.compile(r"[-−+]?\d{1,3}")


def _exponent(node: etree._Element, parts: list[str]) -> str | None:
    """A ``<sup>`` exponent after a number ("10<sup>−5</sup>", "×10<sup>9</sup>/L") in superscript digits,
    "10⁻⁵", so that a threshold is not read as the range "10−5" or the number 105."""
    text = (node.text or "").strip()
    if local(node) != "sup" or len(node) or not _EXPONENT.fullmatch(text) or not "".join(parts)[-1:].isdigit():
        return None
    return text.translate(_SUPERSCRIPT)
