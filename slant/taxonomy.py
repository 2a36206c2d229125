"""The canonical label set and its mapping onto each corpus's own technique names.

The table lives in ``data/taxonomy.json`` (with the reasons for every cross-edition equivalence); this module
loads it once, checks that the mapping is a bijection per scheme, and answers look-ups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from slant.resolve import data_path

TAXONOMY_PATH = data_path("taxonomy.json")
SCHEMES: tuple[str, ...] = ("semeval2020", "emnlp2019", "semeval2021", "semeval2023")


@dataclass(frozen=True, slots=True)
class Label:
    """One canonical label. ``members`` is non-empty only for a merged SemEval-2020 group."""

    id: str
    name: str
    definition: str
    example: str
    members: tuple[str, ...] = ()
    kind: str = "technique"  # technique | group | rhetoric


@dataclass(frozen=True, slots=True)
class _Table:
    labels: dict[str, Label]  # insertion order = the JSON order = LABELS
    to_scheme: dict[str, dict[str, str]]  # scheme -> canonical id -> dataset name (direct mappings only)
    from_scheme: dict[str, dict[str, str]]  # scheme -> dataset name -> canonical id
    scheme_names: dict[str, tuple[str, ...]]  # scheme -> names in the corpus file's order


def _build(raw: dict[str, Any]) -> _Table:
    labels: dict[str, Label] = {}
    to_scheme: dict[str, dict[str, str]] = {s: {} for s in SCHEMES}
    from_s: dict[str, dict[str, str]] = {s: {} for s in SCHEMES}
    for item in raw["labels"]:
        if item["id"] in labels:
            raise ValueError(f"taxonomy.json: duplicate label id {item['id']!r}")
        labels[item["id"]] = Label(
            id=item["id"],
            name=item["name"],
            definition=item["definition"],
            example=item["example"],
            members=tuple(item.get("members", ())),
            kind=item.get("kind", "technique"),
        )
        for scheme, name in item.get("schemes", {}).items():
            if scheme not in to_scheme:
                raise ValueError(f"taxonomy.json: label {item['id']!r} names unknown scheme {scheme!r}")
            if name in from_s[scheme]:
                raise ValueError(f"taxonomy.json: {scheme} name {name!r} is mapped twice")
            to_scheme[scheme][item["id"]] = name
            from_s[scheme][name] = item["id"]
    for label in labels.values():
        for member in label.members:
            if member not in labels:
                raise ValueError(f"taxonomy.json: group {label.id!r} lists unknown member {member!r}")
    scheme_names = {s: tuple(raw["schemes"][s]["names"]) for s in SCHEMES}
    # Every dataset name must map and every mapping must be a dataset name: keeps round trips exact.
    for s in SCHEMES:
        if set(scheme_names[s]) != set(from_s[s]):
            raise ValueError(f"taxonomy.json: {s} names and label mappings disagree")
    return _Table(labels, to_scheme, from_s, scheme_names)


@cache
def _table() -> _Table:
    with open(TAXONOMY_PATH, encoding="utf-8") as fh:
        return _build(json.load(fh))


LABELS: tuple[str, ...] = tuple(_table().labels)


def _check_scheme(scheme: str) -> None:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; valid schemes: {', '.join(SCHEMES)}")


def get(label_id: str) -> Label:
    """The :class:`Label` for a canonical id; KeyError naming the bad id and the valid ones."""
    try:
        return _table().labels[label_id]
    except KeyError:
        raise KeyError(f"unknown label {label_id!r}; valid labels: {', '.join(LABELS)}") from None


def convert(label: str, scheme: str) -> str | None:
    """Canonical id -> the dataset's spelling in ``scheme``; None where the scheme has no counterpart.

    A fine label that SemEval-2020 merged into a group converts to the group's 2020 name.
    """
    _check_scheme(scheme)
    if label not in _table().labels:
        raise ValueError(f"unknown label {label!r}; valid labels: {', '.join(LABELS)}")
    direct = _table().to_scheme[scheme]
    if label in direct:
        return direct[label]
    for group in _table().labels.values():
        if label in group.members and group.id in direct:
            return direct[group.id]
    return None


def from_scheme(name: str, scheme: str) -> str | None:
    """Dataset spelling -> canonical id; ValueError for a name the scheme does not have."""
    _check_scheme(scheme)
    try:
        return _table().from_scheme[scheme][name]
    except KeyError:
        valid = ", ".join(_table().scheme_names[scheme])
        raise ValueError(f"unknown {scheme} technique {name!r}; valid names: {valid}") from None


def scheme_labels(scheme: str) -> tuple[str, ...]:
    """The dataset's technique names in the order of its technique-list file."""
    _check_scheme(scheme)
    return _table().scheme_names[scheme]


# The 14 SemEval-2020 TC classes as canonical ids, in the file order: the tagger's label set.
SEMEVAL2020_LABELS: tuple[str, ...] = tuple(
    _table().from_scheme["semeval2020"][n] for n in _table().scheme_names["semeval2020"]
)
