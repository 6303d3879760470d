"""Recommendation quality on every generator profile and on any transactions files given (e.g. the public Bakery
data, see the README): ``evaluate``'s hit rate, MRR and tail hit rate for the model and popularity, and the ratios.

    .venv/bin/python -m benchmarks.reco_quality [--orders 12000] [--seed 7] [--held-out-seeds 42] [FILE.csv ...]

Each generator profile is drawn with ``datagen`` (same seed, same file) into a temporary directory. With several
``--held-out-seeds`` the ratios are averaged over them too: a difference smaller than their spread is noise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from lambdas.recommendation import datagen
from lambdas.recommendation.evaluate import evaluate
from lambdas.recommendation.transactions import History, read_history


def generated(profile: str, orders: int, seed: int, folder: Path) -> History:
    data = datagen.load_data()
    generator = datagen.BasketGenerator(data, datagen.profile(data, profile), seed=seed)
    path = folder / f"{profile}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        datagen.write_csv(out, generator.orders(orders, start=date(2025, 3, 3), days=150))
    return read_history(path, "Asia/Seoul")


def row(name: str, history: History, seeds: Sequence[int]) -> str:
    results = [evaluate(history, k=5, seed=seed) for seed in seeds]
    first = results[0]
    model, popular = first["model"], first["popularity"]
    counts = f"{popular['hit_rate']:.3f} / {popular['mrr']:.3f} / {popular['tail_hit_rate']:.3f}"
    hit = sum(r["model"]["hit_rate"] / max(r["popularity"]["hit_rate"], 1e-9) for r in results) / len(results)
    tail = sum(r["model"]["tail_hit_rate"] / max(r["popularity"]["tail_hit_rate"], 1e-9) for r in results) / len(
        results
    )
    return (
        f"| {name} | {first['cases']} | {model['hit_rate']:.3f} / {model['mrr']:.3f} / {model['tail_hit_rate']:.3f} "
        f"| {counts} | {hit:.3f}x | {tail:.2f}x |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="transactions files to score too")
    parser.add_argument("--orders", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed")
    parser.add_argument("--held-out-seeds", type=int, nargs="+", default=[42])
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    print("| data | cases | model hit / MRR / tail | popularity hit / MRR / tail | hit ratio | tail ratio |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for profile in datagen.load_data()["profiles"]:
            history = generated(profile, args.orders, args.seed, Path(folder))
            print(row(f"generator `{profile}`", history, args.held_out_seeds), flush=True)
    for path in args.files:
        print(row(f"`{path.name}`", read_history(path, "Asia/Seoul"), args.held_out_seeds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
