"""Commands beyond `route`, registered on the CLI. Each imports its module lazily."""
from __future__ import annotations

import argparse


def register(sub: "argparse._SubParsersAction") -> None:
    """Add the commands of the other subsystems to the CLI."""
    # Filled in as subsystems land (record report, staff accounts, purge, run).
    return None
