"""The ``upylab`` command imports only the module of the command asked for."""
import argparse
import importlib
import subprocess
import sys

from upylab import cli


def registered_by(module):
    subparsers = argparse.ArgumentParser().add_subparsers()
    importlib.import_module(module).register(subparsers)
    return set(subparsers.choices)


def test_every_command_is_listed_under_the_module_that_registers_it():
    for name, module in cli.COMMANDS.items():
        assert name in registered_by(module), (name, module)
    every = set().union(*map(registered_by, set(cli.COMMANDS.values())))
    assert every == set(cli.COMMANDS), "a command registered but not listed in cli.COMMANDS"


def test_a_board_process_does_not_import_the_other_commands():
    """Each virtual board is a ``upylab board run`` process: bench, install and hub stay out."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys; from upylab import cli; cli.build_parser(['board']); "
                               "print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert "upylab.board.cli" in loaded
    others = ("upylab.bench", "upylab.classroom", "upylab.assignments", "upylab.catalog",
              "upylab.install.cli", "upylab.doctor", "upylab.lab", "upylab.lessons", "tqdm")
    assert not [name for name in loaded if name.startswith(others)]


def test_help_lists_every_command():
    shown = subprocess.run([sys.executable, "-m", "upylab", "--help"], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    assert all(name in shown for name in cli.COMMANDS), shown
