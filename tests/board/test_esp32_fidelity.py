"""The virtual board behaves as MicroPython's ESP32 port, point by point.

Each test names the ESP32 behaviour it pins and where it is written, at
MicroPython 13303f8d293f7bc33b865feb7ef4974fb307cabd (the project's
pinned reference, tests/notebooks/citations.py) unless it says otherwise:
a file and its lines in the port, or a section of docs/esp32/quickref.rst.
"""
import os
import subprocess
import time

from support import BIN, mpremote_hard_reset
from upylab.board import pins


def board_lines(mpremote, code):
    return mpremote("exec", code).stdout.splitlines()


# -- errno and sockets ---------------------------------------------------------

def test_errno_has_the_esp32s_newlib_numbers(mpremote):
    """py/moderrno.c lines 39-60 name 22 errors; ports/esp32/mpconfigport.h line 71
    (MICROPY_USE_INTERNAL_ERRNO 0) takes their numbers from the toolchain's newlib:
    espressif/newlib-esp32 @ 7cdcb0b0848a5d909e906834fe81903ba9466c90,
    newlib/libc/include/sys/errno.h lines 139-167."""
    out = board_lines(mpremote, """
import errno as e, uerrno
print(e.EADDRINUSE, e.ETIMEDOUT, e.EINPROGRESS, e.ENOTCONN, e.ECONNRESET,
      e.ECONNREFUSED, e.ECONNABORTED, e.EHOSTUNREACH, e.EALREADY, e.EAGAIN)
print(e.errorcode[112], len(e.errorcode), e is uerrno)
""")
    assert out == ["112 116 119 128 104 111 113 118 120 11", "EADDRINUSE 22 True"]


def test_a_raised_errno_equals_the_folded_constant_too(mpremote):
    """Written `errno.EADDRINUSE`, the name is folded at compile time to the built-in
    module's value (py/compile.c, MICROPY_COMP_MODULE_CONST): the unix port's 98 here,
    112 on an ESP32.  The board's error equals both, so the test a program makes on
    a board holds here too; it prints as the ESP32's number."""
    out = board_lines(mpremote, """
import socket, errno
server = socket.socket()
server.bind(('0.0.0.0', 80))
try:
    socket.socket().bind(('0.0.0.0', 80))
except OSError as error:
    print(error.errno == errno.EADDRINUSE, error.errno, errno.errorcode[error.errno])
""")
    assert out == ["True 112 EADDRINUSE"]


def test_socket_errors_carry_esp32_numbers(mpremote):
    """lwIP's err_to_errno (espressif/esp-lwip @ f79221431fa9042b3572d271d687de66da7560c4,
    src/api/err.c lines 48-66) gives EADDRINUSE for a taken port, ECONNRESET for a
    refused connection (a RST while connecting: ERR_RST, src/core/tcp_in.c lines
    835-840, err_tcp in src/api/api_msg.c lines 442-505), EINPROGRESS for a
    non-blocking connect; ports/esp32/modsocket.c lines 363-369 raise ETIMEDOUT when
    a timeout runs out, and lines 619-624 ENOTCONN for reading a new socket."""
    out = board_lines(mpremote, """
import socket, errno
def number(call):
    try:
        call()
    except OSError as error:
        return errno.errorcode.get(error.errno, error.errno)
server = socket.socket()
server.bind(('0.0.0.0', 80))
server.listen(1)
print(number(lambda: socket.socket().bind(('0.0.0.0', 80))))
print(number(lambda: socket.socket().connect(('127.0.0.1', 81))))
client = socket.socket()
client.setblocking(False)
print(number(lambda: client.connect(('127.0.0.1', 80))))
server.settimeout(0.1)
server.accept()  # the client's
print(number(server.accept))
print(number(lambda: socket.socket().recv(1)))
try:
    socket.socket().bind(('0.0.0.0', 80))
except OSError as error:
    print(repr(error), error)
""")
    assert out == ["EADDRINUSE", "ECONNRESET", "EINPROGRESS", "ETIMEDOUT", "ENOTCONN",
                   "OSError(112,) 112"]  # an ESP32 prints "[Errno 112] EADDRINUSE" (README)


# -- network ------------------------------------------------------------------

def test_quickref_network_examples_run_unchanged(mpremote):
    """docs/esp32/quickref.rst, "Networking" / "WLAN" (lines 79-111): the WLAN
    example and do_connect() as printed there, ipconfig('addr4') included."""
    out = board_lines(mpremote, """
import network

wlan = network.WLAN()       # create station interface (the default, see below for an access point interface)
wlan.active(True)           # activate the interface
wlan.scan()                 # scan for access points
wlan.isconnected()          # check if the station is connected to an AP
wlan.connect('ssid', 'key') # connect to an AP
wlan.config('mac')          # get the interface's MAC address
wlan.ipconfig('addr4')      # get the interface's IPv4 addresses

ap = network.WLAN(network.WLAN.IF_AP) # create access-point interface
ap.config(ssid='ESP-AP')              # set the SSID of the access point
ap.config(max_clients=10)             # set how many clients can connect to the network
ap.active(True)                       # activate the interface

def do_connect():
    import machine, network
    wlan = network.WLAN()
    wlan.active(True)
    if not wlan.isconnected():
        print('connecting to network...')
        wlan.connect('ssid', 'key')
        while not wlan.isconnected():
            machine.idle()
    print('network config:', wlan.ipconfig('addr4'))

do_connect()
""")
    assert out[-1] == "network config: ('127.0.0.1', '255.255.255.0')"


def test_connect_goes_through_stat_connecting(mpremote):
    """ports/esp32/network_wlan.c lines 318-365: connect() starts the association and
    returns; status() (lines 375-411) is STAT_CONNECTING (1001) until STAT_GOT_IP
    (1010, ports/esp32/modnetwork.h lines 63-67); quickref "WLAN" lines 116-123."""
    out = board_lines(mpremote, """
import network, time
wlan = network.WLAN(network.WLAN.IF_STA)
print(wlan.status())
wlan.active(True)
wlan.connect('classroom', 'secret')
print(wlan.status() == network.STAT_CONNECTING, wlan.isconnected(), wlan.ipconfig('addr4')[0])
while wlan.status() == network.STAT_CONNECTING:
    time.sleep_ms(10)
print(wlan.status() == network.STAT_GOT_IP, wlan.isconnected(), wlan.ipconfig('addr4')[0])
""")
    assert out == ["1000", "True False 0.0.0.0", "True True 127.0.0.1"]


def test_station_refuses_access_point_settings(mpremote):
    """ports/esp32/network_wlan.c lines 550-558 and 657-660: ssid/essid (and key,
    security, hidden, max_clients) require the AP interface, so the station raises
    OSError('AP required') (require_if, lines 215-220) and stays unconnected."""
    out = board_lines(mpremote, """
import network
sta = network.WLAN(network.WLAN.IF_STA)
sta.active(True)
for setting in ({'essid': 'x'}, {'ssid': 'x'}, {'password': 'x'}):
    try:
        sta.config(**setting)
    except OSError as error:
        print(error)
print(sta.isconnected())
try:
    sta.config('unknown')
except ValueError as error:
    print(error)
""")
    assert out == ["AP required"] * 3 + ["False", "unknown config param"]


def test_network_constants_hostname_country_and_ipconfig(mpremote):
    """ports/esp32/network_wlan.c lines 798-815 (SEC_*), modnetwork_globals.h lines
    16-40 (STA_IF, AP_IF, AUTH_*) and 75-90 (STAT_*); extmod/modnetwork.c lines
    66-72 and 124-155 (country 'XX', hostname); ports/esp32/mpconfigport.h line 176
    (hostname mpy-esp32); network_common.c lines 160-208 (network.ipconfig)."""
    out = board_lines(mpremote, """
import network
W = network.WLAN
print(W.IF_STA, W.IF_AP, network.STA_IF, network.AP_IF, W.SEC_OPEN, W.SEC_WPA2, W.SEC_WPA2_WPA3)
print(network.AUTH_WPA2_PSK, network.STAT_IDLE, network.STAT_GOT_IP, network.STAT_NO_AP_FOUND,
      network.STAT_WRONG_PASSWORD)
print(network.hostname(), network.country())
network.country('DE'); network.hostname('lab-board')
print(network.country(), network.hostname(), network.ipconfig('dns'))
""")
    assert out == ["0 1 0 1 0 3 7", "3 1000 1010 201 202", "mpy-esp32 XX", "DE lab-board 0.0.0.0"]


# -- boot ---------------------------------------------------------------------

def test_main_runs_only_after_a_clean_boot_py(board, mpremote):
    """ports/esp32/main.c lines 153-169: main.py runs only if boot.py returned
    'success' (ret != 0: PYEXEC_NORMAL_EXIT is 1 on the ESP32, shared/runtime/pyexec.h
    lines 46-48); an exception in boot.py is printed and the REPL follows."""
    flash = board.flash
    open(f"{flash}/boot.py", "w").write("raise ValueError('boot failed')\n")
    open(f"{flash}/main.py", "w").write("open('ran.txt', 'w').write('main')\n")
    mpremote_hard_reset(board, mpremote)
    assert mpremote("exec", "import os; print('ran.txt' in os.listdir())").stdout.strip() == "False"
    open(f"{flash}/boot.py", "w").write("x = 1\n")
    mpremote_hard_reset(board, mpremote)
    assert mpremote("exec", "import os; print('ran.txt' in os.listdir())").stdout.strip() == "True"


def test_system_exit_in_main_py_is_a_soft_reboot(board, line):
    """shared/runtime/pyexec.c lines 166-184: SystemExit gives PYEXEC_FORCED_EXIT, and
    ports/esp32/main.c lines 165-168 then go to soft_reset_exit, which prints
    'MPY: soft reboot' (line 224) and boots again."""
    open(f"{board.flash}/main.py", "w").write(
        "import os, sys\n"
        "n = len([f for f in os.listdir() if f.startswith('boot-')])\n"
        "open('boot-%d' % n, 'w').close()\n"
        "print('main', n)\n"
        "if n < 2:\n"
        "    sys.exit()\n")
    line.write(b"\x04")  # soft reboot: main.py runs, and reboots the board twice itself
    seen = line.read_until(b"main 2", timeout=20)
    assert b"MPY: soft reboot" in seen and b"Traceback" not in seen
    assert sorted(name for name in os.listdir(board.flash) if name.startswith("boot-")) == \
        ["boot-0", "boot-1", "boot-2"]


# -- filesystem -----------------------------------------------------------------

def test_stat_has_littlefs_fields(mpremote):
    """extmod/vfs_lfsx.c lines 378-411: st_mode is 0x8000 or 0x4000 (no permission
    bits), st_size the size, the three times the file's mtime, the rest 0."""
    out = board_lines(mpremote, """
import os
open('/f.txt', 'w').write('12345')
f, d = os.stat('/f.txt'), os.stat('/lib')
print(hex(f[0]), f[1:7], hex(d[0]), d[6], f[7] == f[8] == f[9])
""")
    assert out == ["0x8000 (0, 0, 0, 0, 0, 5) 0x4000 0 True"]


# -- machine ------------------------------------------------------------------

def test_quickref_pin_examples_run_unchanged(board, mpremote):
    """docs/esp32/quickref.rst, "Pins and GPIO" (lines 303-316), as printed there."""
    mpremote("exec", """
from machine import Pin

p0 = Pin(0, Pin.OUT)    # create output pin on GPIO0
p0.on()                 # set pin to "on" (high) level
p0.off()                # set pin to "off" (low) level
p0.value(1)             # set pin to on/high

p2 = Pin(2, Pin.IN)     # create input pin on GPIO2
print(p2.value())       # get value, 0 or 1

p4 = Pin(4, Pin.IN, Pin.PULL_UP) # enable internal pull-up resistor
p5 = Pin(5, Pin.OUT, value=1) # set pin high on creation
p6 = Pin(6, Pin.OUT, drive=Pin.DRIVE_3) # set maximum drive strength
""", "+", "exec", "import time")
    states = pins.read(board)
    assert states[0] == pins.PinState("out", 1)
    assert states[4] == pins.PinState("in", 1, "up")
    assert (states[5].value, states[6].mode) == (1, "out")


def test_pull_values_and_levels(board, mpremote):
    """ports/esp32/machine_pin.c lines 51-52 (PULL_DOWN 1, PULL_UP 2) and 238-247 (the
    pull resistors set); an undriven input reads its pull; a level driven from
    outside wins."""
    out = board_lines(mpremote, """
from machine import Pin
print(Pin.PULL_UP, Pin.PULL_DOWN, Pin.IN, Pin.OUT, Pin.OPEN_DRAIN, Pin.IRQ_RISING, Pin.IRQ_FALLING)
print(Pin(12, Pin.IN, Pin.PULL_UP).value(), Pin(13, Pin.IN, Pin.PULL_DOWN).value())
print(Pin(12) is Pin(12), Pin(12))
""")
    assert out == ["2 1 1 3 7 1 2", "1 0", "True Pin(12, mode=Pin.IN, pull=Pin.PULL_UP)"]
    pins.set_input(board, 12, 0)
    assert board_lines(mpremote, "from machine import Pin; print(Pin(12).value())") == ["0"]


def test_gpio_numbers_as_on_an_esp32(mpremote):
    """ports/esp32/machine_pin.h lines 34-74: GPIO 0-23, 25-27, 32-39 (20 included, 24
    and 28-31 not); machine_pin.c lines 122 and 223-227 give the errors; toggle()
    is there since v1.25.0 (commit 61cb293b76, lines 323-330)."""
    out = board_lines(mpremote, """
from machine import Pin
def error(number, mode):
    try:
        Pin(number, mode)
        return 'ok'
    except ValueError as e:
        return str(e)
print(error(20, Pin.OUT), error(24, Pin.OUT), error(30, Pin.IN), error(34, Pin.OUT), error(39, Pin.IN))
led = Pin(2, Pin.OUT, value=0)
led.toggle()
print(led.value())
""")
    assert out == ["ok invalid pin invalid pin pin can only be input ok", "1"]


def test_irq_fires_on_host_pin_changes(board):
    """ports/esp32/machine_pin.c lines 332-402 (irq, default trigger rising|falling)
    and 89-95 (the handler is scheduled with the pin as argument: a soft IRQ, run
    promptly even while the board sleeps)."""
    code = """
from machine import Pin
import time
edges = []
button = Pin(4, Pin.IN, Pin.PULL_UP)
button.irq(lambda pin: edges.append(pin.value()))
print('armed')
for _ in range(3000):                 # up to 30 s on a loaded machine; ends at the second edge
    if len(edges) >= 2:
        break
    time.sleep(0.01)
print('edges', edges)
"""
    process = subprocess.Popen([str(BIN / "mpremote"), "connect", board.device, "exec", code],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "armed"
        pins.set_input(board, 4, 0)
        time.sleep(0.05)  # two distinct edges, not a wait for a result
        pins.set_input(board, 4, 1)
        assert process.stdout.readline().strip() == "edges [0, 1]"
    finally:
        process.wait(timeout=30)


def test_timer_callbacks_run_during_sleep(mpremote):
    """ports/esp32/machine_timer.c lines 126 ('invalid Timer number'), 261-262 (no
    hard timers) and 320-321 (ONE_SHOT 0, PERIODIC 1); quickref "Timers" lines
    271-294: soft callbacks, ids 0-3."""
    out = board_lines(mpremote, """
from machine import Timer
import time
ticks = []
timer = Timer(1)
timer.init(period=50, mode=Timer.PERIODIC, callback=lambda t: ticks.append(t))
time.sleep_ms(330)
timer.deinit()
print(5 <= len(ticks) <= 7, ticks[0] is timer, Timer.ONE_SHOT, Timer.PERIODIC)
for bad in (lambda: Timer(4), lambda: Timer(0).init(period=10, callback=print, hard=True)):
    try:
        bad()
    except ValueError as error:
        print(error)
""")
    assert out == ["True True 0 1", "invalid Timer number", "hard Timers are not implemented"]


def test_pwm_duty_is_visible_on_the_host(board, mpremote):
    """ports/esp32/machine_pwm.c lines 63-65 (5 kHz, duty_u16 32768 by default) and
    574-590 (its repr); quickref "PWM" lines 394-420 (duty 0-1023, duty_u16, duty_ns)."""
    out = mpremote("exec", """
from machine import Pin, PWM
pwm0 = PWM(Pin(0), freq=5000, duty_u16=32768)
pwm0.freq(1000)
pwm0.duty(256)
print(pwm0.freq(), pwm0.duty(), pwm0.duty_u16(), pwm0.duty_ns())
pwm2 = PWM(Pin(2), freq=20000, duty=512)
print(pwm2)
""", "+", "exec", "import time").stdout.splitlines()
    assert out == ["1000 256 16384 250000", "PWM(Pin(2), freq=20000, duty_u16=32768)"]
    assert pins.read(board)[0] == pins.PinState("pwm", 0, "", 1000, 16384)


def test_adc_reads_what_the_host_sets(board, mpremote):
    """ports/esp32/machine_adc.c lines 38-67 (ATTN_* 0-3, WIDTH_9BIT..12BIT);
    quickref "ADC" lines 466-575: read_u16 0-65535, read() 12-bit, read_uv()."""
    pins.set_analog(board, 34, 32768)
    out = board_lines(mpremote, """
from machine import ADC, Pin
adc = ADC(Pin(34), atten=ADC.ATTN_11DB)
print(adc.read_u16(), adc.read(), ADC.ATTN_11DB, ADC.WIDTH_12BIT)
""")
    assert out == ["32768 2048 3 12"]
