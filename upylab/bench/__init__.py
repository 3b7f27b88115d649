"""``upylab bench``: size, memory, speed and robustness of each framework's reference app."""
