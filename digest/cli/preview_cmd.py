"""`digest preview`: write the edition and a dashboard to a folder; never sends."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from digest.cli import add_command
from digest.cli.context import Context
from digest.errors import DigestError

# Heavy modules are imported in the functions that use them, so `digest --help` starts fast.
if TYPE_CHECKING:
    from digest.config import Settings
    from digest.preview import PreviewResult


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = add_command(
        sub,
        "preview",
        "build the edition without sending: email, posts and checks in a folder",
        "  digest preview                      write ./preview (open preview/index.html)\n"
        "  digest preview --out /tmp/preview --open\n"
        "  digest preview --serve              http://127.0.0.1:8000/, rebuilt when you edit\n"
        "  digest preview --serve --port 8080 --lang ko\n",
        description="Build this period's edition exactly as it would go out and send nothing. Writes "
        "index.html (a dashboard: the email at 600 and 375 px, light/dark, the text part, social posts, "
        "what the checks found), email.html, email.txt, email.eml, social.json, social/<platform>.txt and "
        "report.json. Each finding either blocks the send (digest send refuses it: a protected term, an "
        "undefined template variable, an email over DIGEST_HTML_BUDGET) or is only reported (a feed "
        "that could not be read, a post to edit); exits with status 1 while anything blocks the send.",
    )
    p.add_argument("--out", default="preview", metavar="DIR", help="output folder (default ./preview)")
    p.add_argument("--lang", choices=("en", "ko"), help="language of the email (default DIGEST_LANGUAGE)")
    p.add_argument(
        "--serve", action="store_true", help="serve the dashboard on 127.0.0.1 and rebuild on changes"
    )
    p.add_argument("--port", type=int, default=8000, metavar="N", help="port for --serve (default 8000)")
    p.add_argument("--open", action="store_true", help="open the dashboard in your web browser")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    out = Path(args.out)
    ctx.social_warnings = False  # the preview shows every listed platform's posts, keys or not
    result = _build(ctx.settings, ctx, args)
    if not args.serve:
        if args.open:
            import webbrowser

            webbrowser.open((out / "index.html").resolve().as_uri())
        return 0 if result.ok else 1
    return _serve(ctx, args, out)


def _build(settings: Settings, ctx: Context, args: argparse.Namespace) -> PreviewResult:
    from digest.preview import build_preview

    result = build_preview(
        settings, ctx.ledger, Path(args.out), now=ctx.now(), progress=ctx.interactive, language=args.lang
    )
    _print(result)
    return result


def _print(result: PreviewResult) -> None:
    report = result.report
    if report["period_note"]:
        print(report["period_note"])
    print(
        f"Preview of {report['edition']} ({report['language']}): {report['articles']} article(s), "
        f"{report['html_bytes']:,} of {report['html_budget']:,} bytes of HTML, written to {result.out}/"
    )
    if report["social_note"]:
        print(f"note: {report['social_note']}")
    for line in report["warnings"]:
        print(f"reported: {line}")
    for line in report["errors"]:
        print(f"blocks the send: {line}")
    print(verdict(len(report["errors"]), len(report["warnings"])))


def verdict(blocks: int, reported: int) -> str:
    """The preview's last line: whether digest send would go ahead, and what the rest means."""
    also = f"; {reported} finding(s) only reported (the send goes ahead with them)" if reported else ""
    if blocks:
        return f"{blocks} finding(s) block the send: digest send refuses it until they are fixed{also}"
    return f"ok: nothing blocks the send{also}"


def _serve(ctx: Context, args: argparse.Namespace, out: Path) -> int:
    from digest.plugins import load_settings
    from digest.preview.serve import PreviewServer, watched_paths

    def rebuild() -> list[Path]:
        # .env may have changed: read it again
        settings = load_settings(ctx.env_file, warn=ctx.warn, social_warnings=False)
        print(f"\n{time.strftime('%H:%M:%S')} change seen, rebuilding")
        _build(settings, ctx, args)
        return watched_paths(settings, ctx.env_file)

    def on_error(exc: Exception) -> None:
        text = str(exc) if isinstance(exc, DigestError) else f"{type(exc).__name__}: {exc}"
        print(f"digest: error: {text} (the last good preview stays up)", file=sys.stderr)

    server = PreviewServer(out, args.port, rebuild, watched_paths(ctx.settings, ctx.env_file), on_error)
    server.start()
    print(f"Serving the preview at {server.url} (this computer only). Press Ctrl+C to stop.")
    if args.open:
        import webbrowser

        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("stopped")
    finally:
        server.stop()
    return 0
