"""%upylab url for a class hub's board: its ports are unix sockets, reached through the hub."""
import pytest

from support import stop_and_check
from upylab.board import registry


@pytest.fixture
def board(state_dir):
    """The kernel fixtures' board, started as a class hub's is (--unix-sockets)."""
    record = registry.start(name="test", unix_sockets=True)
    yield record
    stop_and_check(record.name)


def _reply(session, code):
    reply, outputs = session.run(code)
    return reply.get("ename"), reply.get("evalue", ""), outputs


def test_under_the_hub_url_is_the_students_proxied_page(start_kernel, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann/")
    monkeypatch.setenv("JUPYTERHUB_PUBLIC_URL", "http://class.example:8000/user/ann/")
    session = start_kernel()
    session.text("%serialconnect")
    assert session.text("%upylab url") == "http://class.example:8000/user/ann/board/\n"
    assert session.text("%upylab url 80 /api/status") == \
        "http://class.example:8000/user/ann/board/api/status\n"
    ename, evalue, _ = _reply(session, "%upylab url 8080")
    assert ename == "ValueError" and "only the board's port 80" in evalue


def test_without_a_public_url_it_is_the_path_under_the_hub(start_kernel, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann/")
    monkeypatch.delenv("JUPYTERHUB_PUBLIC_URL", raising=False)
    session = start_kernel()
    session.text("%serialconnect")
    assert session.text("%upylab url") == "/user/ann/board/\n"


def test_outside_the_hub_there_is_no_address_for_a_browser(start_kernel, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    session = start_kernel()
    session.text("%serialconnect")
    ename, evalue, _ = _reply(session, "%upylab url")
    assert ename == "ConnectionError" and "through the class hub only" in evalue
