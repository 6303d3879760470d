"""Kubernetes manifests (kustomize) and the tools that render and validate them: ``python -m k8s.validate``."""
