"""The interpreter's output becomes a board's: CRLF, markers dropped, banner hidden after a raw soft reboot."""
from upylab.board.bootfilter import OutputFilter

MARKERS = [b"<set-up>", b"<booted>"]


def feed_all(output_filter, chunks):
    return b"".join(output_filter.feed(chunk) for chunk in chunks)


def test_bare_newlines_become_crlf_even_across_chunks():
    f = OutputFilter(MARKERS, hide_banner=False)
    assert feed_all(f, [b"<set-up><booted>a\nb\r", b"\nc\n"]) == b"a\r\nb\r\nc\r\n"


def test_markers_split_anywhere_are_dropped_and_counted():
    text = b"shim<set-up>boot.py out\n<booted>banner\r\n>>> "
    for cut in range(1, len(text)):
        f = OutputFilter(MARKERS, hide_banner=False)
        assert feed_all(f, [text[:cut], text[cut:]]) == b"shimboot.py out\r\nbanner\r\n>>> "
        assert f.stage == 2


def test_partial_marker_is_held_until_it_resolves():
    f = OutputFilter(MARKERS, hide_banner=False)
    assert f.feed(b"abc<set") == b"abc"
    assert f.feed(b"tle>") == b"<settle>"
    assert f.stage == 0


def test_banner_hidden_when_returning_to_raw_repl():
    f = OutputFilter(MARKERS, hide_banner=True)
    chunks = [b"<set-up>boot\n", b"<booted>", b"MicroPython x\r\nType \"help()\"\r\n>", b">> \r\nraw REPL; CTRL-B to exit\r\n>"]
    assert feed_all(f, chunks) == b"boot\r\n\r\nraw REPL; CTRL-B to exit\r\n>"
