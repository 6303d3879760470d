"""Product recommendations: item-to-item co-purchase similarity blended with time of day and the customer's history.

``handler`` (API) -> ``service`` -> ``logic`` (the model, pure Python) and ``repository`` (all DynamoDB access).
The Orders-stream indexer (``lambdas/reco_indexer``), ``ingest`` and ``evaluate`` share ``stats`` (what an order
adds to the statistics) and the same model code.
"""
