"""Custom resource provider: data sources, a folder of dashboards and admin groups in a Managed Grafana workspace."""
