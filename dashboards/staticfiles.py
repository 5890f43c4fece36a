"""Serves plotly.js from the installed plotly package as ``js/vendor/plotly.min.js``.

The file ships inside the Python package (plotly/package_data/plotly.min.js), so
it is never copied into the repository nor fetched from a CDN: this finder hands
it to ``collectstatic`` (and to WhiteNoise and runserver in development), always
the version that matches the plotly that builds the figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "js/vendor"
NAME = "plotly.min.js"
PACKAGE_DATA = Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=PACKAGE_DATA)
        self.storage.prefix = PREFIX

    def check(self, **kwargs: Any) -> list:
        from django.core.checks import Error

        if not (PACKAGE_DATA / NAME).is_file():
            return [Error(f"plotly.js is missing from the plotly package ({PACKAGE_DATA / NAME}).")]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        if path == f"{PREFIX}/{NAME}":
            found = str(PACKAGE_DATA / NAME)
            return [found] if find_all else found
        return []

    def list(self, ignore_patterns: Any) -> Any:
        yield NAME, self.storage
