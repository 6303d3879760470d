"""A seeded, synthetic Korean-bakery basket generator, for evaluating the recommender without real data.

    python -m lambdas.recommendation.datagen --orders 12000 --seed 7 [--profile default] [--out baskets.csv]

Writes CSV ``order_id,sku,timestamp`` (one row per item, several rows per order, naive local store time), the
input of ``ingest`` and ``evaluate``. Everything the generator knows lives in ``data/bakery_baskets.json``:

* **Items** (the seeded menu of ``local/menu.json`` plus a long tail of ~40 rarer items) with relative weights;
  a profile's ``skew`` raises the weights to a power, so a higher skew makes the best sellers dominate.
* **Time**: a day in the period (weekends are busier), then an hour from the store's traffic curve (a morning
  peak, a lunch peak, an evening peak), which gives the Asia/Seoul day part: morning, lunch, afternoon,
  evening, night.
* **Missions**, the reason for the visit: a coffee run (coffee + breakfast bread or pastry, mornings), lunch
  (sandwich + coffee, sometimes a salad or soup), an afternoon treat, a bread run, the family bread shop on
  evenings and weekends, a celebration (whole cake, mostly evenings and weekends), a gift, an impulse buy.
  The mission is drawn by day part and weekday/weekend; with probability ``mission_noise`` it is uniform
  instead, which blurs the time-of-day signal. A mission fills slots (an item group, a probability, a chance
  of one more from the same group).
* **Seasons and launches**: some items are on sale only for part of the period (strawberry menu in spring,
  a summer cake, a new croissant launched later), so what sells drifts over time as in a real shop.
* **Complementary pairs** (red bean bread -> milk, whole cake -> candles, bagel -> cream cheese, ...): each
  item in the basket pulls its partner in with the pair's probability times ``complement_strength``.
* **Staples** (a profile may name some): items that join any basket with a fixed probability, whatever the
  visit, like the coffee that half of a café-bakery's customers take. They carry no co-purchase signal.
* **Impulse items** drawn by overall popularity with probability ``impulse`` (noise), and occasionally a repeated
  row of the same item (a quantity of two, as real point-of-sale exports have). Baskets have 1 to 6 items.

Profiles (``default``, ``weak``, ``strong``, ``headheavy``, ``cafe``) vary skew, complement strength, impulse and
mission noise and staples, so that a model is checked on more than one kind of shop. The same seed gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from lambdas.recommendation.context import daypart

DATA_FILE = Path(__file__).with_name("data") / "bakery_baskets.json"
MAX_BASKET = 6
REPEAT_ROW = 0.06  # chance that an item is written twice (quantity 2), as real exports do
EXTRA_LIMIT = 2
# The store's traffic by hour (07:00-22:00): a morning rush, a lunch peak, an after-work peak.
WEEKDAY_HOURS = {7: 6, 8: 10, 9: 8, 10: 5, 11: 6, 12: 10, 13: 8, 14: 4, 15: 5, 16: 5, 17: 6, 18: 8, 19: 7, 20: 4, 21: 2}
WEEKEND_HOURS = {7: 1, 8: 3, 9: 5, 10: 7, 11: 8, 12: 9, 13: 9, 14: 8, 15: 8, 16: 8, 17: 8, 18: 7, 19: 6, 20: 4, 21: 2}
WEEKEND_TRAFFIC = 1.35


@dataclass(frozen=True, kw_only=True)
class Profile:
    skew: float
    complement_strength: float
    impulse: float
    mission_noise: float
    staples: tuple[tuple[str, float], ...] = ()  # items added to any basket with their probability, whatever the visit


class BasketGenerator:
    """Draws baskets from the shop described in ``data``; ``skus`` restricts it to a subset of the items."""

    def __init__(self, data: dict[str, Any], profile: Profile, *, seed: int, skus: set[str] | None = None) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not security
        self._profile = profile
        items = {sku: item for sku, item in data["items"].items() if skus is None or sku in skus}
        self._on_sale = {sku: tuple(item.get("on_sale", (0.0, 1.0))) for sku, item in items.items()}
        self._progress = 0.0  # where the order being drawn lies in the period, 0.0 (first day) to 1.0
        self._weights = {sku: float(item["weight"]) ** profile.skew for sku, item in items.items()}
        self._groups = {name: [sku for sku in members if sku in items] for name, members in data["groups"].items()}
        self._missions = data["missions"]
        self._complements: dict[str, list[tuple[str, float]]] = {}
        for first, second, strength in data["complements"]:
            if first in items and second in items:
                self._complements.setdefault(first, []).append((second, float(strength)))

    def orders(self, count: int, *, start: date, days: int) -> Iterator[tuple[datetime, list[str]]]:
        """``count`` orders in time order: (local timestamp, rows of skus)."""
        day_list = [start + timedelta(days=offset) for offset in range(days)]
        day_weights = [WEEKEND_TRAFFIC if d.weekday() >= 5 else 1.0 for d in day_list]
        stamps = sorted(self._timestamp(self._rng.choices(day_list, day_weights)[0]) for _ in range(count))
        begin, span = datetime.combine(start, datetime.min.time()), timedelta(days=days)
        for stamp in stamps:
            self._progress = (stamp - begin) / span
            yield stamp, self._rows(self.basket(stamp))

    def basket(self, at: datetime) -> list[str]:
        mission = self._mission(at)
        basket: list[str] = []
        for slot in self._missions[mission]["slots"]:
            if self._rng.random() < slot["p"]:
                self._add_from(basket, self._groups[slot["group"]])
                extras = 0
                while extras < EXTRA_LIMIT and self._rng.random() < slot.get("extra", 0.0):
                    self._add_from(basket, self._groups[slot["group"]])
                    extras += 1
        for sku, probability in self._profile.staples:
            if sku in self._weights and self._on_sale_now(sku) and self._rng.random() < probability:
                self._append(basket, sku)
        if not basket or self._rng.random() < self._profile.impulse:
            self._add_from(basket, list(self._weights))
        for sku in list(basket):
            for partner, strength in self._complements.get(sku, []):
                if self._on_sale_now(partner) and self._rng.random() < min(
                    0.95, strength * self._profile.complement_strength
                ):
                    self._append(basket, partner)
        return basket[:MAX_BASKET]

    def _mission(self, at: datetime) -> str:
        names = list(self._missions)
        if self._rng.random() < self._profile.mission_noise:
            return self._rng.choice(names)
        part, weekend = daypart(at), at.weekday() >= 5
        weights = [m["dayparts"][part] * (m["weekend"] if weekend else 1.0) for m in self._missions.values()]
        return self._rng.choices(names, weights)[0]

    def _on_sale_now(self, sku: str) -> bool:
        start, end = self._on_sale[sku]
        return start <= self._progress <= end

    def _add_from(self, basket: list[str], group: Sequence[str]) -> None:
        choices = [sku for sku in group if sku not in basket and self._on_sale_now(sku)]
        if choices:
            self._append(basket, self._rng.choices(choices, [self._weights[s] for s in choices])[0])

    @staticmethod
    def _append(basket: list[str], sku: str) -> None:
        if sku not in basket:
            basket.append(sku)

    def _timestamp(self, day: date) -> datetime:
        hours = WEEKEND_HOURS if day.weekday() >= 5 else WEEKDAY_HOURS
        hour = self._rng.choices(list(hours), list(hours.values()))[0]
        return datetime(day.year, day.month, day.day, hour, self._rng.randrange(60), self._rng.randrange(60))

    def _rows(self, basket: list[str]) -> list[str]:
        rows: list[str] = []
        for sku in basket:
            rows.append(sku)
            if self._rng.random() < REPEAT_ROW:
                rows.append(sku)
        return rows


def load_data(path: Path = DATA_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def profile(data: dict[str, Any], name: str) -> Profile:
    raw = data["profiles"][name]
    return Profile(**{**raw, "staples": tuple((str(sku), float(p)) for sku, p in raw.get("staples", []))})


def write_csv(out: TextIO, orders: Iterator[tuple[datetime, list[str]]], *, first_id: int = 1) -> int:
    """Write ``order_id,sku,timestamp`` rows; returns the number of orders."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order_id", "sku", "timestamp"])
    count = 0
    for count, (stamp, rows) in enumerate(orders, start=1):
        for sku in rows:
            writer.writerow([first_id + count - 1, sku, stamp.isoformat()])
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=150)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2025, 3, 3))
    parser.add_argument("--profile", default="default")
    parser.add_argument("--menu", type=Path, help="a JSON list of {sku, ...} (e.g. local/menu.json): only these skus")
    parser.add_argument("--out", type=Path, help="output CSV (default: stdout)")
    args = parser.parse_args(argv)
    data = load_data()
    if args.profile not in data["profiles"]:
        parser.error(f"--profile must be one of {', '.join(data['profiles'])}")
    skus = {str(item["sku"]) for item in json.loads(args.menu.read_text(encoding="utf-8"))} if args.menu else None
    generator = BasketGenerator(data, profile(data, args.profile), seed=args.seed, skus=skus)
    orders = generator.orders(args.orders, start=args.start, days=args.days)
    if args.out:
        with args.out.open("w", encoding="utf-8", newline="") as out:
            write_csv(out, orders)
    else:
        write_csv(sys.stdout, orders)
    return 0


if __name__ == "__main__":
    sys.exit(main())
