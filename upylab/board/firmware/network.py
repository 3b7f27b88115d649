# network for the virtual board: the ESP32's WLAN interface, already "on air".
#
# The unix port has no network module; lessons join Wi-Fi before serving,
# so this one accepts any network, connects at once and reports the
# virtual board's address (127.0.0.1, or the host's when started with
# --expose). Constants and return shapes follow the ESP32 port.
from os import getenv as _getenv

STA_IF = 0
AP_IF = 1

STAT_IDLE = 1000
STAT_CONNECTING = 1001
STAT_GOT_IP = 1010
STAT_NO_AP_FOUND = 201
STAT_WRONG_PASSWORD = 202

AUTH_OPEN = 0
AUTH_WPA2_PSK = 3

_IP = _getenv("UPYLAB_IP") or "127.0.0.1"
_MAC = bytes.fromhex(_getenv("UPYLAB_UID") or "240ac4000000")
_VIRTUAL_AP = ("upylab-virtual", 11, -42)  # what scan() finds: ssid, channel, RSSI

# Shared per interface, as on the board: WLAN(STA_IF) twice is one radio.
_state = {
    STA_IF: {"active": False, "ssid": None, "hostname": "espressif"},
    AP_IF: {"active": False, "ssid": "ESP_" + _MAC.hex()[-6:].upper(), "hostname": "espressif"},
}


class WLAN:
    IF_STA = STA_IF
    IF_AP = AP_IF
    PM_NONE = 0
    PM_PERFORMANCE = 1
    PM_POWERSAVE = 2

    def __init__(self, interface_id=STA_IF):
        if interface_id not in _state:
            raise ValueError("invalid WLAN interface identifier")
        self._id = interface_id
        self._s = _state[interface_id]

    def active(self, is_active=None):
        if is_active is None:
            return self._s["active"]
        self._s["active"] = bool(is_active)
        if not is_active and self._id == STA_IF:
            self._s["ssid"] = None
        return None

    def _require_active(self):
        if not self._s["active"]:
            raise OSError("Wifi Not Started")

    def connect(self, ssid=None, key=None, *, bssid=None):
        self._require_active()
        if self._id != STA_IF:
            raise OSError("STA required")
        self._s["ssid"] = ssid

    def disconnect(self):
        self._s["ssid"] = None

    def isconnected(self):
        if self._id == AP_IF:
            return self._s["active"]
        return self._s["active"] and self._s["ssid"] is not None

    def status(self, param=None):
        if param == "rssi":
            return _VIRTUAL_AP[2] if self.isconnected() else 0
        if param is not None:
            raise ValueError("unknown status param")
        if self._id == STA_IF and self.isconnected():
            return STAT_GOT_IP
        return STAT_IDLE

    def scan(self):
        self._require_active()
        ssid, channel, rssi = _VIRTUAL_AP
        return [(ssid.encode(), _MAC, channel, rssi, AUTH_WPA2_PSK, False)]

    def ifconfig(self, config=None):
        if config is not None:
            raise OSError("the virtual board's address is fixed by the host")
        if self.isconnected():
            return (_IP, "255.255.255.0", _IP, _IP)
        return ("0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0")

    def config(self, *args, **kwargs):
        if kwargs:
            for key, value in kwargs.items():
                if key in ("essid", "ssid"):
                    self._s["ssid"] = value
                elif key in ("hostname", "dhcp_hostname"):
                    self._s["hostname"] = value
                elif key not in ("password", "key", "authmode", "channel", "max_clients", "pm", "txpower", "reconnects"):
                    raise ValueError("unknown config param")
            return None
        if len(args) != 1:
            raise TypeError("can query only one param")
        name = args[0]
        if name == "mac":
            return _MAC
        if name in ("essid", "ssid"):
            return self._s["ssid"] or ""
        if name in ("hostname", "dhcp_hostname"):
            return self._s["hostname"]
        if name == "channel":
            return _VIRTUAL_AP[1]
        raise ValueError("unknown config param")


def hostname(name=None):
    if name is None:
        return _state[STA_IF]["hostname"]
    _state[STA_IF]["hostname"] = name
