"""Checks, one module per family; each registers its rules with ``@register``."""
