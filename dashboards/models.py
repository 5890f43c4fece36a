"""Dashboards' own records: progress reports kept for download, and each
partnership's public report card settings."""

from __future__ import annotations
