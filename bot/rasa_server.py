"""Start a Rasa server (`python -m bot.rasa_server run ...`, as `rasa run ...`) with measured speed-ups.

Rasa 3.6 checks every action server response with `jsonschema.validate()`, which checks the
schema itself and builds a new validator on every call: 24.6 ms per response on this machine,
about a quarter of the CPU a message cost us (bench: `python -m bench --only profile`). The same
schema compiled once validates the same response in 1.5 ms and raises the same errors. Nothing
else about Rasa changes; `bench/` measures the result against a stock Rasa.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional

_applied = False


def compile_action_response_validator() -> None:
    """Make RemoteAction validate responses with one compiled validator (same schema, same errors)."""
    global _applied
    if _applied:
        return
    from jsonschema import ValidationError, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self: Any, result: Dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as e:  # the message Rasa itself gives
            e.message += (
                f". Failed to validate Action server response from API, make sure your response "
                f"from the Action endpoint is valid. For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    RemoteAction._validate_action_result = _validate_action_result
    _applied = True


def main(argv: Optional[List[str]] = None) -> None:
    """`rasa` with the speed-ups applied first; arguments as for the `rasa` command."""
    from bot.settings import settings_or_exit

    settings_or_exit("rasa")  # our channels and tracker store read them: a bad value stops here, in one line
    compile_action_response_validator()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
