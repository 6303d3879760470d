"""The offline evaluation protocol, and the model against popularity on generated bakery data."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from lambdas.recommendation import datagen
from lambdas.recommendation.evaluate import evaluate, main
from lambdas.recommendation.models import Basket
from lambdas.recommendation.transactions import History, parse_rows


def history(baskets: list[list[str]]) -> History:
    start = datetime(2025, 3, 3, 12, 0)
    return History(
        orders=[(str(i), Basket(skus=frozenset(b), at=start + timedelta(minutes=i))) for i, b in enumerate(baskets)]
    )


def test_the_protocol_on_a_history_small_enough_to_score_by_hand() -> None:
    # Given 10 orders: the first 8 train (A+B three times, C+D three times, E and F once each), the last 2 test
    train = [["A", "B"]] * 3 + [["C", "D"]] * 3 + [["E"], ["F"]]
    test = [["A", "B"], ["X"]]  # the single-item order is no case
    # When evaluated at k = 1
    result = evaluate(history(train + test), k=1, seed=0)
    # Then one case: either A or B is held out and the model, knowing they go together, names the other;
    # popularity names the most popular item not in the basket (A, B, C, D tie at 3: by sku, A or C)
    assert result["baskets"] == 10
    assert result["cases"] == 1
    assert result["model"] == {"hit_rate": 1.0, "mrr": 1.0, "tail_hit_rate": 0.0}
    assert result["popularity"]["hit_rate"] in (0.0, 1.0)
    assert result["popularity"]["tail_hit_rate"] == 0.0  # A and B are among the 5 most popular: no tail case


@pytest.mark.parametrize(("profile", "seed"), [("default", 11), ("cafe", 12), ("weak", 13)])
def test_the_model_beats_popularity_on_generated_baskets(profile: str, seed: int) -> None:
    # Given 5000 generated orders of one kind of shop
    data = datagen.load_data()
    generator = datagen.BasketGenerator(data, datagen.profile(data, profile), seed=seed)
    out = io.StringIO()
    datagen.write_csv(out, generator.orders(5000, start=date(2025, 3, 3), days=120))
    out.seek(0)
    generated = parse_rows(csv.DictReader(out), "Asia/Seoul")
    # When evaluated at k = 5
    result = evaluate(generated, k=5)
    # Then the model's hit rate is higher and its tail hit rate more than twice popularity's
    model, popular = result["model"], result["popularity"]
    assert result["cases"] > 300
    assert model["hit_rate"] > popular["hit_rate"]
    assert model["tail_hit_rate"] > 2 * popular["tail_hit_rate"]
    assert model["mrr"] > popular["mrr"]


def test_the_command_prints_the_documented_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.csv"
    lines = ["order_id,sku,timestamp"] + [f"{i},{s},2025-03-03T09:{i:02d}:00" for i in range(20) for s in ("A", "B")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["--transactions", str(path), "--k", "5"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"baskets", "cases", "model", "popularity"}
    assert set(printed["model"]) == set(printed["popularity"]) == {"hit_rate", "mrr", "tail_hit_rate"}
    assert (printed["baskets"], printed["cases"]) == (20, 4)
