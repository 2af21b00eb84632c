"""Seeded workload generators, so both stacks receive the same commands in the same order."""

from __future__ import annotations

import random

from core.commands import RegisterUser

_FIRST_NAMES = ("Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Guido", "Frances")
_LAST_NAMES = ("Lovelace", "Hopper", "Torvalds", "Liskov", "Thompson", "Hamilton", "Allen")

RACE_EMAIL = "race@example.com"


def registrations(count: int, seed: int = 0) -> list[RegisterUser]:
    """Return `count` registrations with distinct ids and distinct emails."""
    rng = random.Random(seed)
    commands = []
    for i in range(count):
        first = rng.choice(_FIRST_NAMES)
        last = rng.choice(_LAST_NAMES)
        commands.append(
            RegisterUser(
                user_id=f"user-{seed}-{i:05d}",
                email=f"{first.lower()}.{last.lower()}.{i}@example.com",
                name=f"{first} {last}",
            )
        )
    return commands


def same_email_registrations(
    count: int, seed: int = 0, email: str = RACE_EMAIL
) -> list[RegisterUser]:
    """Return `count` registrations with distinct ids that all claim one email."""
    return [
        RegisterUser(user_id=c.user_id, email=email, name=c.name)
        for c in registrations(count, seed)
    ]
