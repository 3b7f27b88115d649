"""What lesson code touches on an ESP32 works unchanged: heap, network, machine, os."""
import pytest

from support import run_mpremote, stop_and_check
from upylab.board import pins, presets, registry


@pytest.mark.parametrize("preset", ["esp8266", "esp32", "esp32-spiram"])
def test_free_heap_after_boot_matches_the_boards_figure(state_dir, preset):
    record = registry.start(name=preset, heap=preset)
    try:
        free = int(run_mpremote(record.device, "exec", "import gc; gc.collect(); print(gc.mem_free())").stdout)
    finally:
        stop_and_check(preset)
    # MicroPython's GC scans the C stack conservatively: a stale pointer can
    # keep a few KB of garbage alive, so the figure moves by that much.
    assert abs(free - presets.PRESETS[preset]) < max(0.05 * presets.PRESETS[preset], 4096)


def test_memory_error_surfaces_as_on_the_board(state_dir):
    record = registry.start(name="small", heap="esp8266")
    try:
        result = run_mpremote(record.device, "exec", "x = bytearray(64 * 1024)", check=False)
        assert result.returncode == 1
        assert "MemoryError" in result.stdout
        assert run_mpremote(record.device, "eval", "1 + 1").stdout.strip() == "2"
    finally:
        stop_and_check("small")


def test_wlan_station_joins_and_reports_the_boards_address(mpremote):
    out = mpremote("exec", """
import network, time
wlan = network.WLAN(network.STA_IF)
print(wlan.isconnected())
wlan.active(True)
wlan.connect('classroom', 'secret')
while not wlan.isconnected():
    time.sleep_ms(10)
print(wlan.isconnected(), wlan.status() == network.STAT_GOT_IP)
print(wlan.ifconfig()[0], wlan.config('essid'), len(wlan.config('mac')))
print(network.WLAN(network.STA_IF).isconnected())
""").stdout.split("\n")
    assert out[:4] == ["False", "True True", "127.0.0.1 classroom 6", "True"]


def test_wlan_connect_needs_an_active_interface(mpremote):
    result = mpremote("exec", "import network; network.WLAN(network.STA_IF).connect('x', 'y')", check=False)
    assert "OSError: Wifi Not Started" in result.stdout


def test_wlan_access_point(mpremote):
    out = mpremote("exec", """
import network
ap = network.WLAN(network.AP_IF)
ap.active(True)
ap.config(essid='upylab-ap', password='12345678')
print(ap.active(), ap.config('essid'), ap.ifconfig()[0])
""").stdout.strip()
    assert out == "True upylab-ap 127.0.0.1"


def test_pins_are_visible_from_the_host(board, mpremote):
    assert pins.value(board, 2) is None
    mpremote("exec", "from machine import Pin; led = Pin(2, Pin.OUT); led.on()", "+",
             "exec", "import time")  # one session: soft reset only at its start
    assert pins.read(board)[2] == pins.PinState("out", 1)
    mpremote("exec", "from machine import Pin; led = Pin(2, Pin.OUT, value=1); led.toggle()")
    assert pins.value(board, 2) == 0


def test_input_pins_read_what_the_host_drives(board, mpremote):
    mpremote("exec", "from machine import Pin; Pin(4, Pin.IN)")
    pins.set_input(board, 4, 1)
    assert mpremote("exec", "from machine import Pin; print(Pin(4, Pin.IN).value())",
                    ).stdout.strip() == "1"


def test_host_and_board_read_a_pad_alike(mpremote):
    """pins.level (the host's copy, for ``upylab board pins``) and the board's
    machine._level agree on every mode, driven level, pull and outside level."""
    records = [mode + out + pull + outside
               for mode in (b"-", *pins.MODES) for out in (b"0", b"1")
               for pull in (b"-", b"u", b"d") for outside in (b"-", b"0", b"1")]
    on_board = mpremote("exec", f"import machine\nprint([machine._level(r) for r in {records!r}])").stdout
    assert on_board.strip() == str([pins.level(record) for record in records])


def test_bad_pins_fail_as_on_an_esp32(mpremote):
    assert "ValueError: invalid pin" in mpremote("exec", "from machine import Pin; Pin(24, Pin.OUT)", check=False).stdout
    assert "ValueError: pin can only be input" in mpremote("exec", "from machine import Pin; Pin(34, Pin.OUT)", check=False).stdout


def test_machine_ids_and_what_is_kept_of_the_unix_machine(board, mpremote):
    """Signal and idle stay; mem32 (the interpreter's own memory here) is left out."""
    out = mpremote("exec", """
import machine
print(len(machine.unique_id()), machine.freq())
machine.freq(240000000)
print(machine.freq(), hasattr(machine, 'mem32'), hasattr(machine, 'Signal'), hasattr(machine, 'idle'))
""").stdout.split("\n")
    assert out[:2] == ["6 160000000", "240000000 False True True"]


def test_os_like_an_esp32(mpremote):
    out = mpremote("exec", """
import os
open('/a.txt', 'w').write('x')
os.mkdir('/sub')
os.rename('/a.txt', '/sub/b.txt')
print(os.listdir('/sub'), os.uname().sysname)
print(os.statvfs('/')[0] * os.statvfs('/')[2])
""").stdout.split("\n")
    assert out[:2] == ["['b.txt'] esp32", str(2 * 1024 * 1024)]


def test_ilistdir_entries_carry_sizes(mpremote):
    out = mpremote("exec", """
import os
os.mkdir('/d')
open('/d/f.txt', 'w').write('12345')
print(sorted(e[:2] + e[3:] for e in os.ilistdir('/d')), [e[3] for e in os.ilistdir('/') if e[0] == 'd'])
""").stdout.strip()
    assert out == "[('f.txt', 32768, 5)] [0]"


def test_u_names_are_the_same_modules_as_on_an_esp32(board, mpremote):
    out = mpremote("exec", """
import socket, usocket, os, uos, machine, umachine
print(socket is usocket, os is uos, machine is umachine)
s = usocket.socket()
s.bind(usocket.getaddrinfo('0.0.0.0', 80)[0][-1])
s.listen(1)
print('bound')
""").stdout.split("\n")
    assert out[:2] == ["True True True", "bound"]
    assert registry.listening_ports(registry.find(board.name)) == [80]  # the mapped port, not the host's 80
