"""Integrity Portal — 政务诚信履约投诉平台."""

from .celery import app as celery_app

__all__ = ("celery_app",)
