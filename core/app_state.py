"""Objects an app makes once, on first use: its runtime only exists once the lifespan has
started, so they cannot be made with the app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_making = threading.Lock()


def one_per_app(state: Any, name: str, make: Callable[[], T]) -> T:
    """``state.<name>``, made by ``make`` the first time; under a lock, so two first requests at
    once cannot make two (two publishers would build the index twice)."""
    with _making:
        if getattr(state, name, None) is None:
            setattr(state, name, make())
        made: T = getattr(state, name)
    return made
