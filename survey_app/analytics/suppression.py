"""Anonymity thresholds with complementary suppression.

A figure about fewer than `min_size` people is hidden (primary suppression). That alone is not
enough: when a set of cells sums to a total that is shown, a single hidden cell equals the total
minus the visible ones. So within every such set we keep hiding the next smallest visible cell until
either nothing is hidden, or at least two cells are hidden AND the hidden cells together cover at
least `min_size` people — then the only thing an attacker can derive (total − visible) is an
aggregate over a group at least as large as the threshold. A hidden total is no safer than a hidden
cell: when every member of its set is shown it is their sum, so one member is hidden with it. Sets may
overlap (days within a week and within a month, sites and departments of one period), so the rule is
applied until nothing changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Group:
    """Cells that add up to `total`, a key among the cells; None means no total."""

    total: Hashable | None
    members: tuple[Hashable, ...]


def suppress(counts: Mapping[K, int], groups: Iterable[Group], min_size: int) -> set[K]:
    """Return the keys to hide: primary (count < min_size) plus complementary suppression."""
    hidden: set[K] = {k for k, n in counts.items() if n < min_size}
    groups = [g for g in groups if g.members]
    changed = True
    while changed:
        changed = False
        for g in groups:
            if g.total is None or g.total not in counts:
                continue  # no total at all: nothing to subtract from
            members = [m for m in g.members if m in counts]
            hidden_members = [m for m in members if m in hidden]
            visible = sorted((m for m in members if m not in hidden), key=lambda m: (counts[m], *_order(m)))  # type: ignore[index]
            if g.total in hidden:
                # A hidden total whose members are all shown is their sum: hide a member with it.
                if visible and not hidden_members:
                    hidden.add(visible[0])  # type: ignore[arg-type]
                    changed = True
                continue
            if not hidden_members:
                continue
            hidden_sum = sum(counts[m] for m in hidden_members)
            if len(hidden_members) >= 2 and hidden_sum >= min_size:
                continue
            # One hidden member is the total minus the others: hide the next smallest member, or, when
            # none is left to hide, the total itself.
            hidden.add(visible[0] if visible else g.total)  # type: ignore[arg-type]
            changed = True
    return hidden


def _order(key: Hashable) -> tuple[int, str]:
    """Ties between equal counts go to the lowest key, numbers in numeric order (row ids), so the same
    rows are hidden whatever order they were read in."""
    return (0, f"{key:020d}") if isinstance(key, int) else (1, str(key))


def too_small(n: int, min_size: int) -> bool:
    return n < min_size


def suppression_message(what: str, min_size: int) -> str:
    """The explanation shown instead of data for a group under the threshold."""
    return (
        f"Hidden to protect anonymity: this {what} has fewer than {min_size} people, or showing it "
        f"would let a smaller group be worked out from the other figures."
    )
