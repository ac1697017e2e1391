"""Read the board's stable selectors out of the HTML (no browser: Django's own HTML parser)."""

from __future__ import annotations

from collections.abc import Iterator

from django.test.html import Element, parse_html


def _attrs(element: Element) -> dict[str, str | None]:
    return dict(element.attributes)


def _classes(element: Element) -> set[str]:
    return set((_attrs(element).get("class") or "").split())


def _walk(element: Element | str) -> Iterator[Element]:
    if isinstance(element, str):
        return
    yield element
    for child in element.children:
        yield from _walk(child)


def _text(element: Element | str) -> str:
    if isinstance(element, str):
        return element
    return "".join(_text(child) for child in element.children).strip()


def find(html: str, tag: str, **attrs: str) -> list[Element]:
    """Elements named ``tag`` whose attributes include ``attrs`` (``id_`` for ``id``)."""
    wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
    return [
        element
        for element in _walk(parse_html(html))
        if element.name == tag and all(_attrs(element).get(k) == v for k, v in wanted.items())
    ]


def queue_rows(html: str) -> dict[str, dict[str, str]]:
    """``table#queues tr[data-queue]`` → {slug: {cell class: text}}, plus ``sl-status``."""
    (table,) = find(html, "table", id_="queues")
    rows: dict[str, dict[str, str]] = {}
    for row in _walk(table):
        slug = _attrs(row).get("data-queue") if row.name == "tr" else None
        if slug is None:
            continue
        cells: dict[str, str] = {}
        for cell in row.children:
            if isinstance(cell, Element):
                for name in _classes(cell) - {"num"}:
                    cells[name] = _text(cell)
                if "sl" in _classes(cell):
                    cells["sl-status"] = _attrs(cell).get("data-status") or ""
        rows[slug] = cells
    return rows


def agent_items(html: str) -> dict[int, dict[str, str]]:
    """``#agents li[data-agent-id]`` → {user id: {"group": state of its group, "presence": …}}."""
    (board,) = find(html, "section", id_="agents")
    items: dict[int, dict[str, str]] = {}
    for group in _walk(board):
        state = _attrs(group).get("data-state")
        if group.name != "section" or state is None:
            continue
        for li in _walk(group):
            agent_id = _attrs(li).get("data-agent-id") if li.name == "li" else None
            if agent_id is None:
                continue
            found = {"group": state}
            for element in _walk(li):
                for name in _classes(element) & {"presence", "reason", "in-hand", "in-state"}:
                    found[name] = _text(element)
            items[int(agent_id)] = found
    return items
