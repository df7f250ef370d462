"""Binding ids and their help, gathered from the classes that own them, for help and the palette."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One remappable action as the help screen shows it."""

    id: str
    keys: str
    description: str
    where: str


def _display_key(key: str) -> str:
    names = {
        "question_mark": "?",
        "slash": "/",
        "escape": "esc",
        "pagedown": "pgdn",
        "pageup": "pgup",
    }
    return names.get(key, key)


def describe(
    owners: Iterable[tuple[str, list[BindingType]]], keymap: Mapping[str, str]
) -> list[KeyHelp]:
    """Every binding with an id, keys as currently mapped, in declaration order, ids once."""
    seen: set[str] = set()
    out: list[KeyHelp] = []
    for where, bindings in owners:
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.id or binding.id in seen:
                continue
            seen.add(binding.id)
            keys = keymap.get(binding.id, binding.key)
            shown = ", ".join(_display_key(k.strip()) for k in keys.split(","))
            out.append(KeyHelp(binding.id, shown, binding.tooltip or binding.description, where))
    return out
