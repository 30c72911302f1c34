"""Anonymity thresholds with complementary suppression.

A figure about fewer than `min_size` people is hidden (primary suppression). That alone is not
enough: when a set of cells sums to a total that is shown, a single hidden cell equals the total
minus the visible ones. So within every such set we keep hiding the next smallest visible cell until
either nothing is hidden, or at least two cells are hidden AND the hidden cells together cover at
least `min_size` people — then the only thing an attacker can derive (total − visible) is an
aggregate over a group at least as large as the threshold. Sets may overlap (days within a week and
within a month, sites and departments of one period), so the rule is applied until nothing changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Group:
    """Cells that add up to (at most) `total`, a key among the cells; None means no published total."""

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
            if g.total is None or g.total in hidden:
                continue  # no published total: nothing to subtract from
            members = [m for m in g.members if m in counts]
            hidden_members = [m for m in members if m in hidden]
            if not hidden_members:
                continue
            hidden_sum = sum(counts[m] for m in hidden_members)  # type: ignore[index]
            if len(hidden_members) >= 2 and hidden_sum >= min_size:
                continue
            visible = sorted((m for m in members if m not in hidden), key=lambda m: (counts[m], str(m)))  # type: ignore[index]
            # With no visible member left, total − visible is the hidden sum plus people outside
            # every member (e.g. no site given), which nobody can separate; nothing more to hide.
            if visible:
                hidden.add(visible[0])  # type: ignore[arg-type]
                changed = True
    return hidden


def too_small(n: int, min_size: int) -> bool:
    return n < min_size


def suppression_message(what: str, min_size: int) -> str:
    """The explanation shown instead of data for a group under the threshold."""
    return (
        f"Hidden to protect anonymity: this {what} has fewer than {min_size} people, or showing it "
        f"would let a smaller group be worked out from the other figures."
    )
