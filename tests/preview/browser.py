"""Headless Chromium for the preview tests, driven by Playwright (the system's browser, no download).

Playwright launches Debian's chromium (``executable_path``) and opens one page. The
few things it has no API for (device metrics with overlay scrollbars, the fonts
used to draw a node) go through its DevTools session on that page. Console
errors, uncaught exceptions and browser log errors (a failed image load) are kept
for the test to read.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Any


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright: Any, *args: str) -> Any:
    """Debian's Chromium through Playwright, as root (``--no-sandbox``).

    It keeps the real clock under scripts/at-date.sh: with libfaketime preloaded it hangs or
    aborts (its clock calls fail), and only the servers it talks to need the test's date."""
    path = chromium_path()
    assert path, "chromium is not installed (scripts/test.sh installs it)"
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    return playwright.chromium.launch(executable_path=path, args=["--no-sandbox", *args], env=env)


class Browser:
    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = launch_chromium(self._playwright, "--disable-gpu", "--disable-background-networking")
        self.page = self._browser.new_page()
        self.cdp = self.page.context.new_cdp_session(self.page)
        for domain in ("Log", "DOM", "CSS"):
            self.cdp.send(f"{domain}.enable")
        self._errors: list[str] = []
        self.page.on("pageerror", lambda exc: self._errors.append(str(exc)))
        self.page.on(
            "console", lambda msg: self._errors.append(msg.text) if msg.type in ("error", "assert") else None
        )
        self.cdp.on("Log.entryAdded", self._log_entry)

    def _log_entry(self, params: dict[str, Any]) -> None:
        entry = params["entry"]
        if entry["level"] == "error":
            self._errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")

    def open(self, url: str, width: int, *, dark: bool = False) -> None:
        self.cdp.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500},
        )
        # phones have overlay scrollbars; without this a 15 px desktop scrollbar would eat into 600 px
        self.cdp.send("Emulation.setScrollbarsHidden", {"hidden": True})
        self.page.emulate_media(color_scheme="dark" if dark else "light")
        self._errors.clear()
        self.page.goto(url, wait_until="load", timeout=20_000)
        self.pump(0.5)

    def pump(self, seconds: float) -> None:
        """Let the page run a while (late console messages, image loads, polling)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors since the last open()."""
        return list(self._errors)

    def fonts_for(self, selector: str) -> list[dict[str, Any]]:
        """The platform fonts Chromium used to draw the text of the first element matching ``selector``."""
        root = self.cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = self.cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element matches {selector}"
        fonts: list[dict[str, Any]] = self.cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return fonts

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()
