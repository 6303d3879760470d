"""What the caller hears, in Korean (default) or English: order status, order number, store hours, fallbacks.

The order and recommendation sentences are SSML fragments (no ``<speak>``: the flow wraps them with its menu in one
``<speak>`` prompt): every name and item is XML-escaped, and the order number is read with
``<say-as interpret-as="characters">`` (a tag Connect supports: adminguide/supported-ssml-tags.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal
from xml.sax.saxutils import escape

from lambdas.call_center.hours import DAYS, WeeklyHours
from lambdas.recommendation.reasons import spoken_summary

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")
SPOKEN_ID_CHARS = 4
MAX_NAME_CHARS = 40

_STATUS = {
    "ko": {
        "RECEIVED": "접수되었습니다",
        "BAKING": "지금 굽고 있습니다",
        "READY": "준비가 끝나 매장에서 찾아가실 수 있습니다",
        "PICKED_UP": "이미 찾아가셨습니다",
        "CANCELLED": "취소되었습니다",
    },
    "en": {
        "RECEIVED": "has been received",
        "BAKING": "is in the oven",
        "READY": "is ready for pickup at the store",
        "PICKED_UP": "has been picked up",
        "CANCELLED": "was cancelled",
    },
}
_STATUS_UNKNOWN = {"ko": "확인 중입니다", "en": "is being processed"}
_DAY_NAMES = {
    "ko": ("월요일", "화요일", "수요일", "목요일", "금요일", "토요일", "일요일"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_NO_RECOMMENDATION = {
    "ko": "오늘의 추천 메뉴는 매장 직원이 안내해 드리겠습니다.",
    "en": "Our staff will gladly tell you about today's recommendations.",
}


def language(value: object, default: Lang = "ko") -> Lang:
    return "en" if value == "en" else "ko" if value == "ko" else default


def clean_name(name: object) -> str:
    """A customer name fit to be read out: printable characters only, bounded length."""
    if not isinstance(name, str):
        return ""
    words = ("".join(c for c in word if c.isprintable()) for word in name.split())
    return " ".join(word for word in words if word)[:MAX_NAME_CHARS]


def spoken_order_id(order_id: str) -> str:
    """The last characters of an order id, one by one, e.g. ``"7 K 2 X"``."""
    return " ".join(order_id[-SPOKEN_ID_CHARS:])


def order_status(status: str, lang: Lang) -> str:
    return _STATUS[lang].get(status, _STATUS_UNKNOWN[lang])


def order_speech(*, name: str, order_id: str, status: str, lang: Lang) -> str:
    """An SSML fragment, e.g. ``김지우 고객님, 최근 주문하신 끝자리 <say-as ...>7K2X</say-as> 주문은 ...``."""
    phrase, safe_name = order_status(status, lang), escape(name)
    spoken_id = f'<say-as interpret-as="characters">{escape(order_id[-SPOKEN_ID_CHARS:])}</say-as>'
    if lang == "en":
        hello = f"Hello {safe_name}." if name else "Hello."
        return f'{hello}<break time="300ms"/> Your latest order, ending in {spoken_id}, {phrase}.'
    customer = f"{safe_name} 고객님" if name else "고객님"
    return f'{customer},<break time="300ms"/> 최근 주문하신 끝자리 {spoken_id} 주문은 {phrase}.'


def recommendation_speech(names: Sequence[str], lang: Lang) -> str:
    """An SSML-safe sentence (item names XML-escaped)."""
    return escape(spoken_summary(list(names), lang) or _NO_RECOMMENDATION[lang])


def no_recommendation(lang: Lang) -> str:
    return _NO_RECOMMENDATION[lang]


def hours_speech(hours: WeeklyHours, lang: Lang, *, open_now: bool | None = None) -> str:
    """E.g. '영업시간은 매일 오전 7시부터 오후 10시까지입니다. 지금은 영업 중입니다.'"""
    spec = _hours_spec(hours, lang)
    if lang == "en":
        now = {True: " We are open now.", False: " We are closed right now.", None: ""}[open_now]
        return f"Our opening hours are {spec}.{now}"
    now = {True: " 지금은 영업 중입니다.", False: " 지금은 영업시간이 아닙니다.", None: ""}[open_now]
    return f"영업시간은 {spec}입니다.{now}"


def _hours_spec(hours: WeeklyHours, lang: Lang) -> str:
    groups: dict[tuple[str, str], list[int]] = {}
    for slot in hours.slots:
        times = (_clock(slot.opens.hour, slot.opens.minute, lang), _clock(slot.closes.hour, slot.closes.minute, lang))
        groups.setdefault(times, []).append(DAYS.index(slot.day))
    parts = []
    for (opens, closes), days in groups.items():
        span = f"{opens}부터 {closes}까지" if lang == "ko" else f"from {opens} to {closes}"
        parts.append(f"{_days(sorted(set(days)), lang)} {span}")
    closed = [i for i in range(7) if not any(i in d for d in groups.values())]
    if closed:
        parts.append(f"{_days(closed, lang)}은 휴무" if lang == "ko" else f"closed on {_days(closed, lang)}")
    if not parts:
        return "임시 휴업" if lang == "ko" else "temporarily closed"
    return ", ".join(parts) if lang == "ko" else "; ".join(parts)


def _days(days: Sequence[int], lang: Lang) -> str:
    names = _DAY_NAMES[lang]
    if len(days) == 7:
        return "매일" if lang == "ko" else "every day"
    if len(days) >= 3 and days[-1] - days[0] == len(days) - 1:  # a run such as Monday to Friday
        first, last = names[days[0]], names[days[-1]]
        return f"{first}부터 {last}까지" if lang == "ko" else f"{first} to {last}"
    listed = [names[d] for d in days]
    if lang == "ko":
        return ", ".join(listed)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def _clock(hour: int, minute: int, lang: Lang) -> str:
    if lang == "en":
        suffix, twelve = ("AM" if hour < 12 else "PM"), (hour % 12 or 12)
        return f"{twelve}:{minute:02d} {suffix}" if minute else f"{twelve} {suffix}"
    if hour == 0 and minute == 0:
        return "자정"
    half, twelve = ("오전" if hour < 12 else "오후"), (hour % 12 or 12)
    return f"{half} {twelve}시 {minute}분" if minute else f"{half} {twelve}시"
