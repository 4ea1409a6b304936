"""Python's cycle collector, paused while large acyclic structures are built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while large acyclic structures are built.

    Compiling a large event, assembling its answer and writing the MaxSAT clauses create
    hundreds of thousands of objects that all live on; each full collection would walk them
    and the whole event (about a second at 10,000 participants), several times over.
    Nothing built there forms reference cycles, so nothing is left for the collector to
    find. The collector is process-wide: it is switched back on only if it was on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
