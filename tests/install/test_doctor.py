"""``upylab doctor`` on a virtual board, and on a port that is not there."""
import re

import pytest

from install_helpers import upylab


@pytest.mark.board
def test_doctor_reports_a_virtual_board_fully(fetched, board):
    fetched("picoweb")
    assert upylab("install", "picoweb", "--board", board.name).returncode == 0
    result = upylab("doctor", "--board", board.name, timeout=60)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Serial ports" in out and "Virtual boards" in out
    assert f"{board.name}: {board.device}" in out
    assert re.search(r"MicroPython 1\.\d+\.\d+\S* on .+\(platform linux, \.mpy v6\.3\)", out), out
    assert re.search(r"heap: \d+ bytes free of \d+", out), out
    assert re.search(r"flash: \d+ bytes free of \d+", out), out
    assert re.search(r"picoweb 1\.8\.2 \(mpy, installed ", out), out
    assert "No problems found." in out


@pytest.mark.board
def test_doctor_finds_the_running_board_by_itself(board):
    out = upylab("doctor", timeout=60).stdout
    assert f"Board virtual board '{board.name}'" in out
    assert "none (`upylab install microdot` installs one)" in out


def test_doctor_reports_a_missing_port_with_its_fix(state_dir):
    result = upylab("doctor", "--board", "/dev/ttyUSB-upylab-missing", timeout=60)
    assert result.returncode == 1
    out = result.stdout
    assert "PROBLEM: /dev/ttyUSB-upylab-missing does not exist" in out
    assert re.search(r"fix: plug the board in .*dmesg", out), out
    assert "1 problem(s) found" in out


def test_install_to_a_missing_port_fails_with_its_fix(state_dir, framework_cache):
    result = upylab("install", "picoweb", "--offline", "--board", "/dev/ttyUSB-upylab-missing")
    # Offline and uncached, it stops before the board; once cached, at the port.
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert ("no port /dev/ttyUSB-upylab-missing: is the board plugged in" in result.stderr
            or "--offline forbids fetching" in result.stderr)
