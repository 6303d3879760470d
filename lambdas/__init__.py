"""The platform's Lambda functions: each one's entry point is ``handler`` in ``lambdas/<name>/handler.py``."""
