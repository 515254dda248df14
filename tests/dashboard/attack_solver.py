"""The attacker's algebra: which suppressed figures the published ones give away.

Every figure is a sum of atoms (``attack_world.atoms``). A suppressed figure can be
worked out exactly when its atoms' vector is a linear combination of the published
figures' vectors (and of atoms known to be zero: a row that reads 0, a group missing
from a table). That is a rank test, done once for every suppressed figure by
projecting it on the row space of the published figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tests.dashboard.attack_world import Figure, atoms

Values = tuple[float, ...]  # arrivals, nights: what a published row says
TOLERANCE = 1e-6
WITNESSES = 12  # leaks shown with the sum that gives them away


@dataclass
class Knowledge:
    """What the attacker read: figures and values, the suppressed ones, known zeros."""

    published: dict[Figure, Values] = field(default_factory=dict)
    suppressed: dict[Figure, str] = field(default_factory=dict)  # figure: where it was seen
    seen_at: dict[Figure, str] = field(default_factory=dict)
    partial: dict[Figure, str] = field(default_factory=dict)
    zeros: set[Any] = field(default_factory=set)
    surfaces: set[str] = field(default_factory=set)

    def read(self, figure: Figure, values: Values | None, *, where: str) -> None:
        """One figure read on a page, a file or an answer (``values`` None: suppressed)."""
        self.surfaces.add(where.split(" ", 1)[0])
        if values is None:
            self.suppressed.setdefault(figure, where)
            return
        before = self.published.setdefault(figure, values)
        assert before == values, f"{where} says {values}, {self.seen_at[figure]} {before}"
        self.seen_at.setdefault(figure, where)
        if not any(values):
            self.zeros.update(atoms(figure))

    def partly(self, figure: Figure, *, where: str) -> None:
        """A figure of which one measure is published (a headline: tonight's guests)."""
        self.surfaces.add(where.split(" ", 1)[0])
        self.partial.setdefault(figure, where)

    def missing(self, whole: Figure, parts: list[Figure]) -> None:
        """A table of ``whole``'s parts: atoms no row covers are zero."""
        covered = {atom for part in parts for atom in atoms(part)}
        self.zeros.update(atom for atom in atoms(whole) if atom not in covered)


@dataclass(frozen=True)
class Leak:
    figure: Figure
    where: str
    recovered: float  # arrivals, by the combination below
    combination: list[tuple[float, str, Values]]

    def __str__(self) -> str:
        terms = " ".join(f"{c:+.3g}×[{where} = {v}]" for c, where, v in self.combination[:8])
        return f"{self.where} = {self.recovered:g} arrivals: {terms}"


def _columns(figures: list[Figure], zeros: set[Any]) -> list[dict[int, int]]:
    """Each figure as a sparse vector over classes of atoms no figure tells apart."""
    signature: dict[Any, list[int]] = defaultdict(list)
    for index, figure in enumerate(figures):
        for atom in atoms(figure):
            if atom not in zeros:
                signature[atom].append(index)
    classes: dict[tuple[int, ...], int] = {}
    vectors: list[dict[int, int]] = [{} for _ in figures]
    for members in signature.values():
        column = classes.setdefault(tuple(members), len(classes))
        for index in members:
            vectors[index][column] = vectors[index].get(column, 0) + 1
    return vectors


def _matrix(vectors: list[dict[int, int]], width: int) -> np.ndarray:
    matrix = np.zeros((len(vectors), max(width, 1)))
    for row, vector in enumerate(vectors):
        for column, count in vector.items():
            matrix[row, column] = count
    return matrix


def leaks(facts: Knowledge) -> list[Leak]:
    """Every suppressed figure the published ones (and the zeros) give away."""
    seen_at = {**facts.partial, **facts.seen_at}
    values = {f: facts.published.get(f, (np.nan,)) for f in seen_at}
    shown = list(seen_at)
    hidden = [f for f in facts.suppressed if f not in seen_at]
    found = [
        Leak(f, facts.suppressed[f], values[f][0], [(1.0, seen_at[f], values[f])])
        for f in facts.suppressed
        if f in seen_at
    ]
    if not hidden:
        return found
    vectors = _columns(shown + hidden, facts.zeros)
    width = 1 + max((c for v in vectors for c in v), default=0)
    published = _matrix(vectors[: len(shown)], width)
    secrets = _matrix(vectors[len(shown) :], width)
    _u, singular, basis = np.linalg.svd(published, full_matrices=False)
    basis = basis[singular > TOLERANCE * max(singular.max(initial=0), 1)]
    residual = secrets - (secrets @ basis.T) @ basis
    recoverable = np.linalg.norm(residual, axis=1) < TOLERANCE
    arrivals = np.array([values[f][0] for f in shown], dtype=float)
    for figure, secret, leaked in zip(hidden, secrets, recoverable, strict=True):
        if not leaked:
            continue
        if len(found) >= WITNESSES:  # enough to read: the others without their sums
            found.append(Leak(figure, facts.suppressed[figure], np.nan, []))
            continue
        weights = np.linalg.lstsq(published.T, secret, rcond=None)[0]
        terms = [
            (float(w), seen_at[shown[i]], values[shown[i]])
            for i, w in sorted(enumerate(weights), key=lambda t: -abs(t[1]))
            if abs(w) > TOLERANCE
        ]
        found.append(Leak(figure, facts.suppressed[figure], float(weights @ arrivals), terms))
    return found
