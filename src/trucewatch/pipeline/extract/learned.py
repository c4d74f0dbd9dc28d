"""The learned layer: a small calibrated classifier consulted only where the rules abstain or disagree.

Until a model file is shipped (`data/models/`), `refine` returns the rules' answer unchanged.
"""
from __future__ import annotations


def refine(text: str, rule_type: tuple[str, str], votes: list[str], abstained: bool) -> tuple[str, str]:
    """The (event type, sub-event type) to code: the rules' answer unless a confident model says otherwise.

    `text` is the event's sentences joined; `votes` the sub-event types the trigger rules found in them; `abstained`
    is true when no specific trigger was found (only generic words such as "attack").
    """
    return rule_type
