"""Load the committed price table and an environment's usage assumptions (YAML under stacks/assets/prices/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from stacks.cost.model import CostError, Price, PriceTable, Usage

PRICES_DIR = Path(__file__).resolve().parent.parent / "assets" / "prices"
PRICE_FIELDS = ("usd", "unit", "source", "read", "confirmed")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError as error:
        raise CostError(f"{path} not found") from error
    except yaml.YAMLError as error:
        raise CostError(f"cannot parse {path}: {error}") from error
    if not isinstance(data, dict):
        raise CostError(f"{path} must hold a mapping")
    return data


def load_prices(region: str, directory: Path = PRICES_DIR) -> PriceTable:
    path = directory / f"{region}.yaml"
    data = _read(path)
    if data.get("region") != region:
        raise CostError(f"{path} is for region {data.get('region')!r}, not {region!r}")
    prices: dict[str, Price] = {}
    for key, entry in (data.get("prices") or {}).items():
        missing = [name for name in PRICE_FIELDS if name not in (entry or {})]
        if missing:
            raise CostError(f"price {key!r} in {path} lacks {', '.join(missing)}")
        if not isinstance(entry["usd"], int | float) or entry["usd"] < 0 or not isinstance(entry["confirmed"], bool):
            raise CostError(f"price {key!r} in {path}: usd must be a number >= 0 and confirmed true or false")
        if not str(entry["source"]).startswith("https://"):
            raise CostError(f"price {key!r} in {path}: source must be the https:// page that states it")
        prices[key] = Price(
            key=key,
            usd=float(entry["usd"]),
            unit=str(entry["unit"]),
            source=str(entry["source"]),
            read=str(entry["read"]),
            confirmed=entry["confirmed"],
            note=str(entry.get("note", "")),
        )
    free = {str(kind): str(reason) for kind, reason in (data.get("free") or {}).items()}
    if not all(free.values()):
        raise CostError(f"every free type in {path} needs its reason")
    return PriceTable(
        region=region,
        as_of=str(data.get("as_of", "")),
        hours_per_month=float(data.get("hours_per_month", 730)),
        prices=prices,
        free=free,
        path=str(path),
    )


def load_usage(environment: str, directory: Path = PRICES_DIR) -> Usage:
    path = directory / f"usage-{environment}.yaml"
    return Usage(_read(path), path=str(path))
