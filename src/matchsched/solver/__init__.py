"""The solver core (placeholder until written)."""


def solve(event, options=None, **kwargs):  # type: ignore[no-untyped-def]
    raise NotImplementedError
