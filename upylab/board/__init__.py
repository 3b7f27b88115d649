"""The virtual board: the real MicroPython unix port behind a serial line.

``bridge`` runs one board (its pseudo-terminal and interpreter),
``registry`` starts, finds and stops boards by name, ``presets`` sizes
their heaps like real boards, ``pins`` reads their GPIO states, and
``firmware/`` holds the board-side shims that make the unix port look
like an ESP32 from the inside.
"""
