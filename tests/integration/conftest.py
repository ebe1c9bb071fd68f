"""Fixtures the integration tests share: a fixed clock and the program's services on it."""

from __future__ import annotations

import pytest

from core.ports import UnitOfWorkFactory
from tests.support import FixedClock, Program, program


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def p(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> Program:
    return program(uow_factory, clock)
