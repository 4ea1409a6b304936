"""Index arrays that say which candidates touch which participant, slot, table or resource.

Every hard rule of the time-indexed model is "at most so many of these candidates", so the
one recurring question is: which candidates cover key ``k`` (a participant-slot, a
pool-slot, ...)? :func:`group` answers it for all keys at once with a sort.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from matchsched.solver.compile import Compiled


@dataclass(frozen=True)
class Groups:
    """Candidates grouped by key: ``candidates[start[i]:start[i+1]]`` all have ``keys[i]``."""

    keys: np.ndarray
    start: np.ndarray
    candidates: np.ndarray

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        for i, key in enumerate(self.keys):
            yield int(key), self.candidates[self.start[i] : self.start[i + 1]]

    def sizes(self) -> np.ndarray:
        """How many candidates each key has."""
        return np.diff(self.start)


def group(keys: np.ndarray, candidates: np.ndarray) -> Groups:
    """Group ``candidates`` by ``keys`` (parallel arrays)."""
    order = np.argsort(keys, kind="stable")
    keys, candidates = keys[order], candidates[order]
    unique, first = np.unique(keys, return_index=True)
    return Groups(unique, np.append(first, len(keys)), candidates)


def covered_slots(compiled: Compiled, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parallel arrays (candidate, slot) for every slot each candidate covers."""
    lengths = compiled.request_length[compiled.candidate_request[candidates]]
    repeated = np.repeat(candidates, lengths)
    offsets = np.arange(len(repeated)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return repeated, compiled.candidate_start[repeated] + offsets


def attendee_pairs(compiled: Compiled) -> tuple[np.ndarray, np.ndarray]:
    """Parallel arrays (candidate, participant) for every attendee of every candidate."""
    sizes = np.array([len(v) for v in compiled.variants], dtype=np.int64)
    flat = np.fromiter(
        (a for v in compiled.variants for a in v), dtype=np.int64, count=int(sizes.sum())
    )
    variant_start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    counts = sizes[compiled.candidate_variant]
    candidates = np.repeat(np.arange(compiled.n_candidates), counts)
    offsets = np.arange(len(candidates)) - np.repeat(np.cumsum(counts) - counts, counts)
    participants = flat[variant_start[compiled.candidate_variant[candidates]] + offsets]
    return candidates, participants


@dataclass(frozen=True)
class Occupancy:
    """Who could be busy when: the index every rule about participants uses."""

    by_participant_slot: Groups
    """Keys ``participant * n_slots + slot``."""
    by_participant: Groups
    """Keys ``participant``: every candidate the participant attends."""


def occupancy(compiled: Compiled) -> Occupancy:
    """Group candidates by attendee-slot and by attendee."""
    candidates, participants = attendee_pairs(compiled)
    covering, slots = covered_slots(compiled, candidates)
    lengths = compiled.request_length[compiled.candidate_request[candidates]]
    who = np.repeat(participants, lengths)
    return Occupancy(
        by_participant_slot=group(who * compiled.n_slots + slots, covering),
        by_participant=group(participants, candidates),
    )
