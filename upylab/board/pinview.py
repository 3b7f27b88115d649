"""A picture of a board's GPIOs: the lesson's LED, lit or dark, and every pin set up.

``%upylab pins`` and the live view of a running cell show it in the notebook;
``upylab board pins --watch`` prints its text form.  It is an SVG drawn on a
board of its own (a dark circuit-board green with light labels) because
JupyterLab shows SVG output as an image: page colours (``currentColor``, the
theme's variables) do not reach inside it, so a picture that relied on them
would be black on black in the dark theme.  Everything it shows is in the
text form too (``text/plain``), for terminals, screen readers and diffs.
"""
from html import escape

from upylab.board.pins import PinState

WIDTH = 360
ROW = 22
TOP = 86            # where the pin rows start, under the LED
BOARD = "#1f4d36"   # the board: dark enough for light text in either theme
EDGE = "#123323"
LABEL = "#e8f0ea"
MUTED = "#a9c2b2"
LIT = "#ffc233"
DARK = "#4a514c"


def describe(number: int, state: PinState) -> str:
    """One pin in words: ``GPIO 2 out 1``, with its pull or PWM details; a pin
    whose mode is unknown (read from a real board) ``reads`` its level."""
    if state.mode == "read":
        return f"GPIO {number} reads {state.value}"
    words = [f"GPIO {number}", state.mode, str(state.value)]
    if state.pull:
        words.append(f"pull {state.pull}")
    if state.mode == "pwm":
        words.append(f"{state.freq} Hz, duty {state.duty_u16 * 100 // 65535}%")
    return " ".join(words)


def led_is_on(states: dict[int, PinState], led: int) -> bool:
    state = states.get(led)
    return bool(state and state.mode in ("out", "open-drain", "pwm", "read") and state.value)


def text(states: dict[int, PinState], led: int, note: str = "") -> str:
    """The picture in words, one line per pin."""
    lines = [f"LED (GPIO {led}): {'on' if led_is_on(states, led) else 'off'}"]
    lines += [describe(number, state) for number, state in sorted(states.items())]
    if not states:
        lines.append("no GPIO set up yet")
    if note:
        lines.append(note)
    return "\n".join(lines) + "\n"


def svg(states: dict[int, PinState], led: int, title: str = "", note: str = "") -> str:
    """The picture: the LED at the top, then a row per configured pin."""
    on = led_is_on(states, led)
    rows = sorted(states.items()) or [(None, None)]
    height = TOP + ROW * len(rows) + (ROW if note else 0) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" font-family="sans-serif" font-size="13">',
        f"<title>{escape(text(states, led, note).strip())}</title>",
        '<defs><radialGradient id="glow"><stop offset="0" stop-color="#fff3c4"/>'
        f'<stop offset="0.45" stop-color="{LIT}"/>'
        f'<stop offset="1" stop-color="{LIT}" stop-opacity="0"/></radialGradient></defs>',
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="{height - 2}" rx="10" '
        f'fill="{BOARD}" stroke="{EDGE}" stroke-width="2"/>',
        f'<text x="14" y="22" fill="{MUTED}">{escape(title or "board")}</text>',
    ]
    if on:
        parts.append('<circle cx="40" cy="54" r="24" fill="url(#glow)"/>')
    parts += [
        f'<circle cx="40" cy="54" r="11" fill="{LIT if on else DARK}" stroke="{EDGE}" '
        'stroke-width="2"/>',
        f'<text x="66" y="50" fill="{LABEL}" font-size="15" font-weight="bold">'
        f'LED {"on" if on else "off"}</text>',
        f'<text x="66" y="68" fill="{MUTED}">GPIO {led}</text>',
    ]
    y = TOP
    for number, state in rows:
        if state is None:
            parts.append(f'<text x="14" y="{y + 15}" fill="{MUTED}">no GPIO set up yet</text>')
        else:
            parts += [
                f'<circle cx="22" cy="{y + 10}" r="6" fill="{LIT if state.value else DARK}" '
                f'stroke="{EDGE}"/>',
                f'<text x="38" y="{y + 15}" fill="{LABEL}">{escape(describe(number, state))}</text>',
            ]
        y += ROW
    if note:
        parts.append(f'<text x="14" y="{y + 15}" fill="{MUTED}" font-size="11">'
                     f'{escape(note)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
