"""Guessing which of a file's columns holds which field, from the headers people write.

Pure: no Django. A mapping is ``{field name: column index}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from focus_lab.imports.kinds import Field

_NON_WORD = re.compile(r"[^0-9a-z#%$]+")


def normalise(header: str) -> str:
    """ "Net Case Weight (lb)", "net_case_weight_lb" and " NET  CASE WEIGHT LB " read alike."""
    text = _NON_WORD.sub(" ", header.lower().replace("_", " ")).strip()
    return text


def _names(field: Field) -> list[str]:
    return [normalise(n) for n in (field.name, field.label, *field.synonyms)]


def header_score(fields: Sequence[Field]) -> Callable[[list[str]], int]:
    """How many of a candidate header row's cells name one of ``fields``."""
    known = {n for f in fields for n in _names(f)}

    def score(cells: list[str]) -> int:
        return sum(1 for c in cells if normalise(c) in known)

    return score


def guess_mapping(
    headers: Sequence[str], fields: Sequence[Field], *, remembered: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Each field's column: first the mapping remembered for this kind and source (by header),
    then an exact name/label/synonym match, then a header that starts with one of them. A column
    goes to one field at most."""
    normalised = [normalise(h) for h in headers]
    taken: set[int] = set()
    result: dict[str, int] = {}
    if remembered:
        by_header = {normalise(h): name for h, name in remembered.items()}
        names = {f.name for f in fields}
        for index, header in enumerate(normalised):
            name = by_header.get(header)
            if name in names and name not in result and header:
                result[name] = index
                taken.add(index)
    for exact in (True, False):
        for f in fields:
            if f.name in result:
                continue
            candidates = _names(f)
            for index, header in enumerate(normalised):
                if index in taken or not header:
                    continue
                if (header in candidates) if exact else any(header.startswith(c + " ") for c in candidates):
                    result[f.name] = index
                    taken.add(index)
                    break
    return result


def unmapped_columns(headers: Sequence[str], mapping: Mapping[str, int]) -> list[str]:
    used = set(mapping.values())
    return [h or f"(column {i + 1})" for i, h in enumerate(headers) if i not in used]


def mapping_problems(
    mapping: Mapping[str, int | None], fields: Sequence[Field], headers: Sequence[str]
) -> list[str]:
    """What is wrong with a mapping the person chose: a required field with no column, a column
    chosen for two fields."""
    problems = []
    for f in fields:
        if f.required and mapping.get(f.name) is None:
            problems.append(f"Choose the column that holds “{f.label}”: it is required.")
    seen: dict[int, str] = {}
    for f in fields:
        index = mapping.get(f.name)
        if index is None:
            continue
        if not 0 <= index < len(headers):
            problems.append(f"“{f.label}”: the file has no such column.")
        elif index in seen:
            problems.append(
                f"The column “{headers[index]}” is chosen for both “{seen[index]}” and “{f.label}”."
            )
        else:
            seen[index] = f.label
    return problems
