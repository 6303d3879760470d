"""Plumbing shared by the login gateway and the order service: logging, middleware, errors, health, AWS, JWT."""
