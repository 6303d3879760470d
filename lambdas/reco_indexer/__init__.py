"""The Orders-stream indexer: keeps the recommender's statistics up to date (``lambdas.recommendation.updates``)."""
