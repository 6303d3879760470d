"""Short human reasons for a recommendation, in Korean (default) or English, and a spoken summary.

The call-center Lambda reuses :func:`spoken_summary` to read recommendations out to a caller.
"""

from __future__ import annotations

from collections.abc import Sequence

from lambdas.recommendation.logic import Reason
from lambdas.recommendation.models import Lang

_KO_CONTEXT = {
    "morning": "아침에",
    "lunch": "점심에",
    "afternoon": "오후에",
    "evening": "저녁에",
    "night": "밤에",
    "weekday": "평일에",
    "weekend": "주말에",
}
_EN_CONTEXT = {
    "morning": "in the morning",
    "lunch": "at lunchtime",
    "afternoon": "in the afternoon",
    "evening": "in the evening",
    "night": "late at night",
    "weekday": "on weekdays",
    "weekend": "at weekends",
}
_FIXED = {
    ("history", "ko"): "자주 주문하신 메뉴예요",
    ("history", "en"): "You order this often",
    ("history-once", "ko"): "전에 주문하신 메뉴예요",
    ("history-once", "en"): "You ordered this before",
    ("popular", "ko"): "가장 많이 찾는 메뉴예요",
    ("popular", "en"): "One of our best sellers",
    ("new", "ko"): "새로운 메뉴를 만나보세요",
    ("new", "en"): "Something new to try",
}


def reason_text(reason: Reason, lang: Lang, *, name_of: dict[str, str]) -> str:
    """The sentence for ``reason``; ``name_of`` gives display names of skus (for "often bought with ...")."""
    if reason.kind == "with":
        anchor = name_of.get(reason.detail or "", reason.detail or "")
        return f"{anchor}{with_particle(anchor)} 함께 자주 구매돼요" if lang == "ko" else f"Often bought with {anchor}"
    if reason.kind in ("daypart", "daytype"):
        detail = reason.detail or ""
        return f"{_KO_CONTEXT[detail]} 인기 있어요" if lang == "ko" else f"Popular {_EN_CONTEXT[detail]}"
    if reason.kind == "history" and reason.detail == "once":
        return _FIXED[("history-once", lang)]
    return _FIXED[(reason.kind, lang)]


def with_particle(word: str) -> str:
    """Korean 'with' particle: 과 after a final consonant, 와 after a vowel, 와(과) when the word is not Hangul."""
    last = word.rstrip()[-1:] or " "
    if not "가" <= last <= "힣":
        return "와(과)"
    return "과" if (ord(last) - ord("가")) % 28 else "와"


def spoken_summary(names: Sequence[str], lang: Lang) -> str:
    """One sentence a voice prompt can read, e.g. '추천 메뉴는 크루아상, 아메리카노입니다.'"""
    if not names:
        return ""
    if lang == "en":
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"We recommend {listed}."
    return f"추천 메뉴는 {', '.join(names)}입니다."
