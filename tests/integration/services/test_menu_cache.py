"""The menu is a whole-table Scan kept in process for ``MENU_CACHE_SECONDS``: a price change shows once that has
passed and not before; concurrent requests on a cold cache share one Scan; prices for orders are read fresh."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from order_service.catalog_repository import CatalogRepository
from tests.integration.fake_aws import REGION
from tests.integration.services.conftest import table


class Timer:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def count_scans(client: Any) -> list[int]:
    calls: list[int] = []
    client.meta.events.register("before-call.dynamodb.Scan", lambda **_: calls.append(1))
    return calls


def set_price(sku: str, price: int) -> None:
    boto3.resource("dynamodb", region_name=REGION).Table(table("catalog")).update_item(
        Key={"sku": sku}, UpdateExpression="SET price = :p", ExpressionAttributeValues={":p": price}
    )


def price(items: Any, sku: str) -> int:
    return next(item.price for item in items if item.sku == sku)


def test_a_price_change_shows_after_the_ttl_and_not_before(dynamodb: Any):
    # Given a menu read once, cached for 30 s
    timer, scans = Timer(), count_scans(dynamodb)
    catalog = CatalogRepository(dynamodb, table("catalog"), menu_ttl_seconds=30, timer=timer)
    assert price(catalog.scan_all(), "BRD-001") == 2300
    # When the price changes in the table
    set_price("BRD-001", 2500)
    # Then the menu shows the old price until 30 s have passed, from one Scan
    timer.now += 29.9
    assert price(catalog.scan_all(), "BRD-001") == 2300
    assert len(scans) == 1
    # And the new one after
    timer.now += 0.2
    assert price(catalog.scan_all(), "BRD-001") == 2500
    assert len(scans) == 2
    # And an order's prices never come from the cache
    set_price("BRD-001", 2700)
    assert catalog.get_many(["BRD-001"])["BRD-001"].price == 2700


def test_a_zero_ttl_scans_every_time(dynamodb: Any):
    scans = count_scans(dynamodb)
    catalog = CatalogRepository(dynamodb, table("catalog"))
    catalog.scan_all()
    set_price("BRD-001", 2500)
    assert price(catalog.scan_all(), "BRD-001") == 2500
    assert len(scans) == 2


def slow_scan(**_: Any) -> None:  # a before-call hook must return None, or botocore takes it as the response
    time.sleep(0.2)


def test_concurrent_requests_on_a_cold_cache_share_one_scan(dynamodb: Any):
    # Given a cold cache and a Scan that takes a while
    scans = count_scans(dynamodb)
    started = threading.Barrier(16)
    dynamodb.meta.events.register("before-call.dynamodb.Scan", slow_scan)
    catalog = CatalogRepository(dynamodb, table("catalog"), menu_ttl_seconds=30)

    def read(_: int) -> list[str]:
        started.wait()
        return [item.sku for item in catalog.scan_all()]

    # When 16 requests read the menu at once
    with ThreadPoolExecutor(max_workers=16) as pool:
        menus = list(pool.map(read, range(16)))
    # Then they all got the whole menu, from a single Scan
    assert len(scans) == 1
    assert all(menu == menus[0] and "BRD-001" in menu for menu in menus)
