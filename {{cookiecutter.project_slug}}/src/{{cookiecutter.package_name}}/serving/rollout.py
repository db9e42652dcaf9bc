"""Blue/green helpers for the online rollout, called by CI (ci/deploy.sh) and testable offline.

The live deployment is the one with the most traffic; the new one gets the other colour, starts
at 0%, is smoke-tested, then takes all traffic while the old one stays at 0% for rollback.

    az ml online-endpoint show ... --output json | python -m {{ cookiecutter.package_name }}.serving.rollout next
    python -m {{ cookiecutter.package_name }}.serving.rollout switch --new green --old blue   # -> "green=100 blue=0"
"""

from __future__ import annotations

import argparse
import json
import sys

COLOURS = ("blue", "green")


def live(traffic: dict[str, int] | None) -> str | None:
    """The deployment taking the most traffic, or None when nothing takes any."""
    traffic = {name: int(share) for name, share in (traffic or {}).items()}
    if not any(traffic.values()):
        return None
    return max(sorted(traffic), key=lambda name: traffic[name])


def next_colour(traffic: dict[str, int] | None) -> str:
    current = live(traffic)
    return COLOURS[1] if current == COLOURS[0] else COLOURS[0]


def switch(new: str, old: str | None) -> str:
    """The ``--traffic`` value that moves everything to ``new`` and keeps ``old`` for rollback."""
    return f"{new}=100 {old}=0" if old and old != new else f"{new}=100"


def traffic_of(endpoint: dict) -> dict[str, int]:
    """Traffic of ``az ml online-endpoint show`` output (or of the bare traffic object)."""
    return endpoint.get("traffic", endpoint) if isinstance(endpoint, dict) else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Blue/green decisions for the online endpoint.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("live", help="print the live deployment (empty if none), endpoint JSON on stdin")
    commands.add_parser("next", help="print the colour of the new deployment, endpoint JSON on stdin")
    flip = commands.add_parser("switch", help="print the traffic value that moves all traffic to NEW")
    flip.add_argument("--new", required=True, choices=COLOURS)
    flip.add_argument("--old", default="", choices=(*COLOURS, ""))
    args = parser.parse_args(argv)
    if args.command == "switch":
        print(switch(args.new, args.old or None))
        return 0
    text = sys.stdin.read().strip()
    traffic = traffic_of(json.loads(text)) if text else {}
    print((live(traffic) or "") if args.command == "live" else next_colour(traffic))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
