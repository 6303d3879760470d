"""SSML prompts as the caller hears them, for the simulator's transcript and the validator.

Connect reads SSML only when it is enclosed in ``<speak>`` ("All SSML-enhanced text must be enclosed within a pair of
speak tags"); unsupported tags are ignored (https://docs.aws.amazon.com/connect/latest/adminguide/supported-ssml-tags.html).
A prompt that is not well-formed XML is an error here, because Polly rejects it and the block takes its error branch.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from lambdas.call_center.flows import FlowError

_SPACES = re.compile(r"\s+")
_PAUSES = frozenset({"break", "p", "s"})


def spoken(ssml: str) -> str:
    """The words of an SSML prompt: tags removed, ``say-as interpret-as="characters"`` read one by one."""
    try:
        root = ElementTree.fromstring(ssml)  # noqa: S314 - our own flow text and our own Lambda's XML-escaped answer
    except ElementTree.ParseError as error:
        raise FlowError(f"SSML is not well-formed XML ({error}): {ssml[:120]!r}") from None
    if root.tag != "speak":
        raise FlowError(f"SSML must have a <speak> root, not <{root.tag}>")
    return _SPACES.sub(" ", _words(root)).strip()


def _words(element: ElementTree.Element) -> str:
    text = element.text or ""
    if element.tag == "say-as" and element.get("interpret-as") in ("characters", "spell-out"):
        text = " ".join(text.replace(" ", ""))
    parts = [text]
    for child in element:
        pause = " " if child.tag in _PAUSES else ""
        parts += [pause, _words(child), pause, child.tail or ""]
    return "".join(parts)
