"""Small patches that make moto answer like AWS for key pairs (placeholder, see issue 6)."""


def apply() -> None:
    """Patch moto's key pair backend once; safe to call twice."""
