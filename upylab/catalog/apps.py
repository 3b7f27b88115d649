"""Each framework's reference app, from ``data/apps.csv``: what runs it, and what it needs.

Every framework lesson builds the same app (notebooks/README.md) in its
snippets folder, ``snippets/<id>/``, on the shared ``common/led.py`` and
``common/static/``.  The tests serve it, the bench measures it and the
lessons send it from this one table, so a framework added as data (its
rows, its snippets folder, its lesson) is served, checked and measured
with no code changed.

What every app answers (``routes``) and the LED's pin (``led_pin``) are
read from the board code that states them for the board's own self-test
(``snippets/common/selftest.py``, ``snippets/common/led.py``), so the
board, the tests and the bench hold one contract.
"""
import json as _json
from dataclasses import dataclass

from upylab import snippets
from upylab.catalog import tables
from upylab.errors import UpylabError

# What every reference app needs beside its own folder (the page's LED, the stylesheet).
COMMON = ("common/led.py", "common/static")


@dataclass(frozen=True)
class App:
    framework: str
    module: str          # has run(port=80), printing "serving on port 80", and async serve(port=80)
    websocket: str       # the path of its WebSocket echo, '' where it has none

    @property
    def snippets(self) -> tuple:
        """The snippet files and folders it needs on the board."""
        return (*COMMON, self.framework)


def apps(data_dir=None) -> dict:
    """``{framework id: App}``, in the table's order."""
    return {row["id"]: App(row["id"], row["module"], row["websocket"])
            for row in tables.table("apps", data_dir).rows}


def app(framework: str) -> App:
    known = apps()
    if framework not in known:
        raise UpylabError(f"no reference app for {framework!r} in data/apps.csv: "
                          f"choose from {', '.join(known)}")
    return known[framework]


@dataclass(frozen=True)
class Route:
    """One request of the contract, and what the app must answer."""

    method: str
    path: str
    json: object         # a JSON body, or None
    data: bytes          # a raw body, or None
    status: int
    piece: str           # a piece of the expected body ('' when any body will do)

    @property
    def body(self):
        return _json.dumps(self.json).encode() if self.json is not None else self.data

    @property
    def headers(self) -> dict:
        return {"Content-Type": "application/json"} if self.json is not None else {}


def routes() -> list:
    """The requests every app's self-test makes, in order (the LED ends off)."""
    return [Route(*case) for case in snippets.literal("common/selftest.py", "CASES")]


def led_pin() -> int:
    """The GPIO of the reference app's LED."""
    return snippets.literal("common/led.py", "PIN")
