"""Chromium for the browser tests: Debian's `chromium` package, launched by Playwright with the system
executable (no browser is ever downloaded), and pages watched for what they must never do."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("MOCKGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass
class Watched:
    """A page, with what it must never do: open a dialog, throw, or break its Content-Security-Policy."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.dialogs == [], f"the page opened dialogs: {self.dialogs}"
        assert self.errors == [], f"the page failed: {self.errors}"


def watch(browser: Browser, **context_options) -> tuple[Watched, object]:
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    page = context.new_page()
    watched = Watched(page)

    def on_dialog(dialog):
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message):
        # A 4xx a test provokes is logged as "Failed to load resource"; a policy violation is not that.
        if message.type == "error" and "Failed to load resource" not in message.text:
            watched.errors.append(message.text)

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    page.on("console", on_console)
    return watched, context
