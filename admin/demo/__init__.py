"""The demo hall (placeholder until the seeding module lands)."""


def seed_if_empty() -> bool:
    return False


def describe(base: str) -> str:
    return f"Console: {base}/admin/"
