"""Which transactions the demo opens around the services it calls."""

import functools
import importlib
import inspect
from contextlib import contextmanager

import pytest
from django.db import connection

# Every module of services the demo may call (STYLE.md: writes go through them).
SERVICE_MODULES = [
    "briefings.services",
    "consultations.services",
    "liaison.services",
    "members.points",
    "members.services",
    "plans.services",
    "proposals.services",
    "reports.services",
    "visits.services",
]


@contextmanager
def service_calls():
    """Yields a list that fills, for each service called from outside any other service,
    with (its name, how many transactions were open around it that are not a test
    case's own). Top-level services may be ``transaction.atomic(durable=True)``: they
    refuse to run inside anyone else's transaction, so that number must stay 0."""
    calls = []
    depth = 0

    def watch(name, function):
        @functools.wraps(function)
        def watched(*args, **kwargs):
            nonlocal depth
            if depth == 0:
                # _from_testcase: how Django's TestCase marks its own blocks (durable
                # services are allowed directly inside those).
                outer = sum(not block._from_testcase for block in connection.atomic_blocks)
                calls.append((name, outer))
            depth += 1
            try:
                return function(*args, **kwargs)
            finally:
                depth -= 1

        return watched

    with pytest.MonkeyPatch.context() as patch:
        for module in map(importlib.import_module, SERVICE_MODULES):
            for name, function in vars(module).items():
                if (
                    inspect.isfunction(function)
                    # defined there, or in the package's own modules (services/ folders)
                    and f"{function.__module__}.".startswith(f"{module.__name__}.")
                    and not name.startswith("_")
                ):
                    patch.setattr(module, name, watch(f"{module.__name__}.{name}", function))
        yield calls
