"""The synthetic basket generator: seeded, realistic in shape, and usable as the CLI documents."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path

from lambdas.recommendation import datagen
from lambdas.recommendation.context import daypart


def generate(seed: int, profile: str = "default", orders: int = 3000) -> list[tuple[datetime, list[str]]]:
    data = datagen.load_data()
    generator = datagen.BasketGenerator(data, datagen.profile(data, profile), seed=seed)
    return list(generator.orders(orders, start=date(2025, 3, 3), days=90))


def test_the_same_seed_gives_the_same_orders_and_another_seed_others() -> None:
    assert generate(1) == generate(1)
    assert generate(1) != generate(2)


def test_baskets_have_one_to_six_items_in_store_hours_in_time_order() -> None:
    orders = generate(3)
    sizes = Counter(len(set(rows)) for _, rows in orders)
    assert set(sizes) <= set(range(1, 7))
    assert sizes[1] > 0
    assert sizes[4] > 0
    assert all(7 <= at.hour <= 21 for at, _ in orders)
    assert [at for at, _ in orders] == sorted(at for at, _ in orders)


def test_time_of_day_and_pairs_shape_the_baskets() -> None:
    orders = generate(4, orders=6000)
    by_part: dict[str, Counter[str]] = defaultdict(Counter)
    with_cake = Counter()
    for at, rows in orders:
        skus = set(rows)
        by_part[daypart(at)].update(skus)
        if skus & {"CKE-001", "CKE-002"}:
            with_cake.update(skus)
    # Sandwiches sell at lunch rather than in the morning; candles go with whole cakes
    lunch, morning = by_part["lunch"], by_part["morning"]
    assert lunch["SND-001"] / sum(lunch.values()) > 3 * morning["SND-001"] / sum(morning.values())
    assert with_cake["ETC-001"] > 0.3 * (with_cake["CKE-001"] + with_cake["CKE-002"])


def test_seasonal_items_sell_only_in_their_season() -> None:
    orders = generate(5, orders=4000)
    first, last = orders[0][0], orders[-1][0]
    launched = [at for at, rows in orders if "BRD-023" in rows]  # on sale from 60% of the period
    assert launched
    assert min(launched) > first + (last - first) * 0.55


def test_the_command_writes_csv_limited_to_a_menu(tmp_path: Path) -> None:
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps([{"sku": "DRK-001"}, {"sku": "PST-001"}, {"sku": "BRD-001"}]), encoding="utf-8")
    out = tmp_path / "b.csv"
    assert datagen.main(["--orders", "200", "--seed", "9", "--menu", str(menu), "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert set(rows[0]) == {"order_id", "sku", "timestamp"}
    assert {r["sku"] for r in rows} <= {"DRK-001", "PST-001", "BRD-001"}
    assert len({r["order_id"] for r in rows}) == 200
