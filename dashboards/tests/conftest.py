"""The browser fixtures live in partnership/tests/browser.py, shared with the other apps."""

from partnership.tests.browser import (  # noqa: F401
    browser_type_launch_args,
    console_errors,
    live_world,
    screenshot_dir,
)

# The charted riverside of the dashboard tests (dashboards/tests/charted.py).
from .charted import charted  # noqa: F401
