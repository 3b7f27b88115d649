# network for the virtual board: the ESP32's WLAN interfaces, on a virtual access point.
#
# Behaviour, names, numbers and messages follow ports/esp32/network_wlan.c,
# network_common.c, modnetwork_globals.h and extmod/modnetwork.c; the
# numbers taken from ESP-IDF (wifi_auth_mode_t, wifi_err_reason_t, ...)
# are those of the ESP-IDF the port builds with.  What is virtual: every
# network exists and accepts any key; connect() takes CONNECT_MS, during
# which status() is STAT_CONNECTING (on an ESP32 it returns at once and
# the station associates in the background); the address is the virtual
# board's (127.0.0.1, or the host's with --expose); no station ever joins
# the access point.
from uos import getenv as _getenv
import time as _time

STA_IF = 0
AP_IF = 1
MODE_11B = 1
MODE_11G = 2
MODE_11N = 4
MODE_LR = 8
AUTH_OPEN = 0
AUTH_WEP = 1
AUTH_WPA_PSK = 2
AUTH_WPA2_PSK = 3
AUTH_WPA_WPA2_PSK = 4
AUTH_WPA2_ENTERPRISE = 5
AUTH_WPA3_PSK = 6
AUTH_WPA2_WPA3_PSK = 7
AUTH_WAPI_PSK = 8
AUTH_OWE = 9
AUTH_WPA3_ENT_192 = 10
AUTH_WPA3_EXT_PSK = 11
AUTH_WPA3_EXT_PSK_MIXED_MODE = 12
AUTH_MAX = 17
STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010
STAT_BEACON_TIMEOUT = 200
STAT_NO_AP_FOUND = 201
STAT_WRONG_PASSWORD = 202
STAT_ASSOC_FAIL = 203
STAT_CONNECT_FAIL = 203
STAT_HANDSHAKE_TIMEOUT = 204
STAT_NO_AP_FOUND_W_COMPATIBLE_SECURITY = 210
STAT_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD = 211
STAT_NO_AP_FOUND_IN_RSSI_THRESHOLD = 212

CONNECT_MS = 300  # how long the virtual station associates
_IP = _getenv("UPYLAB_IP") or "127.0.0.1"
_MAC = bytes.fromhex(_getenv("UPYLAB_UID") or "240ac4000000")
del _getenv
_NETMASK = "255.255.255.0"
_VIRTUAL_AP = (b"upylab-virtual", 11, -42)  # what scan() finds: ssid, channel, RSSI
_country = "XX"                # extmod/modnetwork.c: mod_network_country_code
_hostname = "mpy-esp32"        # MICROPY_PY_NETWORK_HOSTNAME_DEFAULT for the ESP32
_dns = "0.0.0.0"
_sta = {"ssid": "", "connect_at": None, "reconnects": -1}
_ap = {"ssid": "ESP_" + _MAC.hex()[-6:].upper(), "password": "", "authmode": AUTH_OPEN,
       "max_clients": 10, "hidden": False}
_active = [False, False]


def country(code=None):
    global _country
    if code is None:
        return _country
    if len(code) != 2:
        raise ValueError
    _country = code


def hostname(name=None):
    global _hostname
    if name is None:
        return _hostname
    if len(name) > 32:  # MICROPY_PY_NETWORK_HOSTNAME_MAX_LEN
        raise ValueError
    _hostname = name


def ipconfig(*args, **kwargs):
    """network.ipconfig('dns') / ipconfig(dns=...) (network_common.c: esp_network_ipconfig)."""
    global _dns
    if not kwargs:
        if len(args) != 1:
            raise TypeError("must query one param")
        if args[0] != "dns":
            raise ValueError("unexpected key")
        return _dns
    if args:
        raise TypeError("can't specify pos and kw args")
    for key, value in kwargs.items():
        if key != "dns":
            raise ValueError("unexpected key")
        _dns = value


def phy_mode(mode=None):
    return None


class WLAN:
    IF_STA = STA_IF
    IF_AP = AP_IF
    SEC_OPEN = 0
    SEC_WEP = 1
    SEC_WPA = 2
    SEC_WPA2 = 3
    SEC_WPA_WPA2 = 4
    SEC_WPA2_ENT = 5
    SEC_WPA3 = 6
    SEC_WPA2_WPA3 = 7
    SEC_WAPI = 8
    SEC_OWE = 9
    SEC_WPA3_ENT_192 = 10
    SEC_WPA3_EXT_PSK = 11
    SEC_WPA3_EXT_PSK_MIXED_MODE = 12
    SEC_DPP = 13
    SEC_WPA3_ENT = 14
    SEC_WPA2_WPA3_ENT = 15
    SEC_WPA_ENT = 16
    PM_NONE = 0
    PM_PERFORMANCE = 1
    PM_POWERSAVE = 2
    PROTOCOL_DEFAULT = MODE_11B | MODE_11G | MODE_11N
    PROTOCOL_LR = MODE_LR
    BANDWIDTH_20 = 1
    BANDWIDTH_40 = 2
    BANDWIDTH_80 = 3
    BANDWIDTH_160 = 4
    BANDWIDTH_80_80 = 5
    _instances = {}

    def __new__(cls, interface_id=STA_IF):
        if interface_id not in (STA_IF, AP_IF):
            raise ValueError("invalid WLAN interface identifier")
        wlan = cls._instances.get(interface_id)
        if wlan is None:  # one object per interface, as on the board
            wlan = object.__new__(cls)
            wlan._id = interface_id
            cls._instances[interface_id] = wlan
        return wlan

    def __init__(self, interface_id=STA_IF):
        pass

    def _require(self, interface_id):
        if self._id != interface_id:
            raise OSError("STA required" if interface_id == STA_IF else "AP required")

    def active(self, is_active=None):
        if is_active is not None:
            _active[self._id] = bool(is_active)
            if not is_active and self._id == STA_IF:
                _sta["connect_at"] = None
        return _active[self._id]

    def connect(self, ssid=None, key=None, *, bssid=None):
        self._require(STA_IF)
        if not _active[STA_IF]:
            raise OSError("Wifi Not Started")  # esp_wifi_connect(): ESP_ERR_WIFI_NOT_STARTED
        if bssid is not None and len(bssid) != 6:
            raise ValueError
        if ssid is not None:
            _sta["ssid"] = ssid
        _sta["connect_at"] = _time.ticks_add(_time.ticks_ms(), CONNECT_MS)

    def disconnect(self):
        _sta["connect_at"] = None

    def _connected(self):
        at = _sta["connect_at"]
        return _active[STA_IF] and at is not None and _time.ticks_diff(_time.ticks_ms(), at) >= 0

    def isconnected(self):
        if self._id == STA_IF:
            return self._connected()
        return False  # no station joins the virtual access point

    def status(self, param=None):
        if param is None:
            if self._id != STA_IF:
                return None
            if self._connected():
                return STAT_GOT_IP
            return STAT_CONNECTING if _sta["connect_at"] is not None and _active[STA_IF] else STAT_IDLE
        if param == "rssi":
            self._require(STA_IF)
            if not self._connected():
                raise OSError("Wifi Not Connected")
            return _VIRTUAL_AP[2]
        if param == "stations":
            self._require(AP_IF)
            return []
        raise ValueError("unknown status param")

    def scan(self):
        if not _active[STA_IF]:
            raise OSError("STA must be active")
        ssid, channel, rssi = _VIRTUAL_AP
        return [(ssid, _MAC, channel, rssi, AUTH_WPA2_PSK, False)]

    def _addresses(self):
        if (self._id == STA_IF and self._connected()) or (self._id == AP_IF and _active[AP_IF]):
            return _IP, _NETMASK, _IP
        return "0.0.0.0", "0.0.0.0", "0.0.0.0"

    def ifconfig(self, config=None):
        if config is not None:
            raise OSError("the virtual board's address is fixed by the host")
        ip, netmask, gateway = self._addresses()
        return (ip, netmask, gateway, _dns if ip != "0.0.0.0" else "0.0.0.0")

    def ipconfig(self, *args, **kwargs):
        """ipconfig('addr4'), ('gw4'), ('dhcp4') (network_common.c: esp_ipconfig)."""
        if kwargs:
            raise OSError("the virtual board's address is fixed by the host")
        if len(args) != 1:
            raise TypeError("must query one param")
        ip, netmask, gateway = self._addresses()
        if args[0] == "addr4":
            return (ip, netmask)
        if args[0] == "gw4":
            return gateway
        if args[0] == "dhcp4" and self._id == STA_IF:
            return True
        raise ValueError("unexpected key")

    def config(self, *args, **kwargs):
        if args and kwargs:
            raise TypeError("either pos or kw args are allowed")
        if kwargs:
            for key, value in kwargs.items():
                self._set(key, value)
            return None
        if len(args) != 1:
            raise TypeError("can query only one param")
        return self._get(args[0])

    def _set(self, key, value):
        # Each AP-only setting is refused on the station, after the fact
        # but before anything applies (network_wlan.c, "post-check").
        ap_only = ("ssid", "essid", "hidden", "security", "authmode", "key", "password",
                   "max_clients")
        if key in ap_only:
            self._require(AP_IF)
            _ap[{"essid": "ssid", "security": "authmode", "key": "password"}.get(key, key)] = value
        elif key in ("hostname", "dhcp_hostname"):
            hostname(value)
        elif key == "reconnects":
            self._require(STA_IF)
            _sta["reconnects"] = value
        elif key == "mac":
            if len(value) != 6:
                raise ValueError("invalid buffer length")
        elif key not in ("channel", "bandwidth", "txpower", "protocol", "pm"):
            raise ValueError("unknown config param")

    def _get(self, key):
        if key == "mac":
            return _MAC
        if key in ("ssid", "essid"):
            return _sta["ssid"] if self._id == STA_IF else _ap["ssid"]
        if key in ("hidden", "security", "authmode"):
            self._require(AP_IF)
            return _ap["hidden"] if key == "hidden" else _ap["authmode"]
        if key == "channel":
            return _VIRTUAL_AP[1]
        if key in ("hostname", "dhcp_hostname"):
            self._require(STA_IF)
            return _hostname
        if key == "max_clients":
            return _ap["max_clients"]
        if key == "reconnects":
            self._require(STA_IF)
            return _sta["reconnects"]
        if key == "txpower":
            return 20.0
        if key == "pm":
            return WLAN.PM_PERFORMANCE
        if key == "protocol":
            return WLAN.PROTOCOL_DEFAULT
        if key == "bandwidth":
            return WLAN.BANDWIDTH_20
        if key == "ifname":
            return "st1" if self._id == STA_IF else "ap2"
        raise ValueError("unknown config param")
