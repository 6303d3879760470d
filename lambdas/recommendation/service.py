"""The recommender's use cases, shared by the API handler, the indexer, ``ingest``, ``evaluate`` and the call center.

    from lambdas.recommendation.service import recommend
    recommend(RecommendationQuery(customer_id="...", k=3, lang="ko"))   # stores from the environment

Reading the statistics and the catalog goes through the repository; ranking is ``logic.rank``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol

from lambdas.recommendation.catalog import DynamoCatalog
from lambdas.recommendation.context import local_time
from lambdas.recommendation.logic import DEFAULT_PARAMS, ModelParams, Scored, rank
from lambdas.recommendation.models import CatalogItem, Change, Lang, Recommendation, RecommendationQuery
from lambdas.recommendation.reasons import reason_text
from lambdas.recommendation.repository import DynamoStatsStore, StatsStore
from lambdas.recommendation.settings import RecommendationSettings
from lambdas.recommendation.stats import MAX_PAIR_READS, Stats, is_shared, partitions_to_read
from lambdas.recommendation.stats_cache import CachedStatsStore
from lambdas.shared import dynamodb
from lambdas.shared.settings import load

# Scores are shares of a distribution over the whole menu, a long tail of them below 1e-4: six decimals keep them
# apart, so that ordering the answer by score gives the model's own order (four made ties of most of the tail).
SCORE_DIGITS = 6


class Catalog(Protocol):
    def items(self) -> Mapping[str, CatalogItem]: ...


@dataclass(frozen=True, kw_only=True)
class Recommender:
    store: StatsStore
    catalog: Catalog
    zone: str = "Asia/Seoul"
    default_lang: Lang = "ko"
    params: ModelParams = DEFAULT_PARAMS


@cache
def default_recommender() -> Recommender:
    """The recommender over the tables named in the environment (built once per process)."""
    settings = load(RecommendationSettings)
    client = dynamodb.client()
    return Recommender(
        store=CachedStatsStore(
            DynamoStatsStore(client, settings.recommendations_table),
            shared=is_shared,
            ttl_seconds=settings.stats_cache_seconds,
        ),
        catalog=DynamoCatalog(client, settings.catalog_table, ttl_seconds=settings.catalog_cache_seconds),
        zone=settings.store_timezone,
        default_lang=settings.default_lang,
    )


def recommend(query: RecommendationQuery, recommender: Recommender | None = None) -> list[Recommendation]:
    """Up to ``query.k`` recommendations with names and reasons in the query's language."""
    recommender = recommender or default_recommender()
    catalog = recommender.catalog.items()
    ranked = rank_from_store(
        recommender.store,
        basket=query.items,
        customer_id=query.customer_id,
        at=local_time(query.at, recommender.zone),
        k=query.k,
        catalog=catalog,
        params=recommender.params,
    )
    lang = query.lang or recommender.default_lang
    names = {sku: display_name(sku, catalog, lang) for sku in [*query.items, *(s.sku for s in ranked)]}
    return [
        Recommendation(
            sku=s.sku,
            name=names[s.sku],
            score=round(s.score, SCORE_DIGITS),
            reason=reason_text(s.reason, lang, name_of=names),
        )
        for s in ranked
    ]


def rank_from_store(
    store: StatsStore,
    *,
    basket: Sequence[str],
    customer_id: str | None,
    at: datetime,
    k: int,
    catalog: Mapping[str, CatalogItem],
    params: ModelParams = DEFAULT_PARAMS,
) -> list[Scored]:
    """Read the counters the request needs (a handful of queries) and rank; ``at`` is store-local time.

    The basket is a set: its items are sorted first, so the same basket ranks the same (and reads the same
    ``MAX_PAIR_READS`` co-purchase partitions) whatever order the caller listed them in.
    """
    basket = sorted(dict.fromkeys(basket))
    counts = store.read(partitions_to_read(basket, customer_id))
    stats = Stats.from_counts(counts, basket[:MAX_PAIR_READS], customer_id)

    def available(sku: str) -> bool:
        item = catalog.get(sku)
        return item is None or item.available  # not on the menu (yet): still recommendable, named by its sku

    return rank(stats, basket=basket, at=at, k=k, available=available, known=catalog.keys(), params=params)


def apply_changes(store: StatsStore, changes: Iterable[Change]) -> int:
    """Apply changes (each at most once); returns how many were applied now rather than skipped as replays."""
    return sum(1 for change in changes if store.apply(change))


def display_name(sku: str, catalog: Mapping[str, CatalogItem], lang: Lang) -> str:
    item = catalog.get(sku)
    return item.display_name(lang) if item else sku
