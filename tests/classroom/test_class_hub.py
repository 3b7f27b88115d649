"""A real class: JupyterHub, three students and a teacher as system users, a board each.

Each student logs in through the hub's form, starts their server and runs
cells on their own board through the server's kernel API, as JupyterLab
does; then what one student must not reach is tried from the other
accounts; then an exercise goes out, comes in and is graded through
nbgrader's own server APIs (the teacher's formgrader, a student's
assignment list), as their JupyterLab panels call them; then the class
stops and nothing of it may be left.
"""
import asyncio
import os
import pwd
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from class_helpers import board_folder, board_of, run_as, start_class, stop_class, upylab
from upylab import paths
from upylab.assignments import course
from upylab.board import pins
from upylab.board.registry import is_running
from upylab.classroom import accounts, boardproxy
from upylab.classroom.client import Student

STUDENTS = {"ulab-ann": 2, "ulab-ben": 4, "ulab-cas": 5}   # each drives a pin of their own
TEACHER = "ulab-tea"
ASSIGNMENT = "01-raw-sockets"
GRADING_TIMEOUT = 300      # seconds for a request that runs a notebook on a board
SERVE_NAME = """
import _thread, socket
def _serve():
    s = socket.socket()
    s.bind(('0.0.0.0', 80))
    s.listen(2)
    while True:
        c, _ = s.accept()
        c.recv(1024)
        c.send(b'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nLED page of %s')
        c.close()
_thread.start_new_thread(_serve, ())
"""


async def _lesson_cells(student: Student, kernel: str, pin: int, bundle: bool) -> list:
    # The install (soft-)resets the board, as on an ESP32: it comes before the pins.
    cells = ["%serialconnect",
             f"from machine import Pin\nled = Pin({pin}, Pin.OUT)\nled.value(1)\nprint('pin', {pin}, led.value())",
             SERVE_NAME % student.name,
             "%upylab url"]
    if bundle:
        cells.insert(1, "%upylab install microdot --offline")
    async with student.channels(kernel) as channels:
        return [await channels.run(code) for code in cells]


@pytest.fixture(scope="module")
def bundle(class_dir, shared_folder, framework_cache):
    """A class bundle holding Microdot (from PyPI, or the session's cache)."""
    made = upylab("bundle", str(shared_folder / "bundle"), "microdot")
    if made.returncode:
        pytest.skip(f"cannot make a bundle here: {made.stderr.strip()}")
    (shared_folder / "bundle").chmod(0o755)
    return shared_folder / "bundle"


@pytest.fixture(scope="module")
def hub_class(class_dir, bundle, shared_folder):
    """Three students and the teacher logged in, servers ready, the lesson cells run on
    every student's board."""
    options, printed = start_class(list(STUDENTS), "--bundle", str(bundle), "--teacher", TEACHER,
                                   "--grading", str(shared_folder / "grading"))
    try:
        users = {name: Student(options.url, name, options.passwords[name]).login()
                 for name in [*STUDENTS, TEACHER]}
        for user in users.values():
            user.start_server()
        for user in users.values():
            user.wait_ready(timeout=120)
        students = {name: users[name] for name in STUDENTS}
        kernels = {name: student.start_kernel() for name, student in students.items()}

        async def every_board():
            return await asyncio.gather(*(
                _lesson_cells(student, kernels[name], STUDENTS[name], name == "ulab-ann")
                for name, student in students.items()))
        # In a thread of its own: the run's browser fixture (Playwright's sync API)
        # keeps an event loop running in this one.
        with ThreadPoolExecutor(1) as worker:
            outputs = dict(zip(students, worker.submit(asyncio.run, every_board()).result()))
        uids = {name: pwd.getpwnam(name).pw_uid for name in options.users}
        yield {"options": options, "printed": printed, "students": students,
               "teacher": users[TEACHER], "grading": shared_folder / "grading",
               "outputs": outputs, "uids": uids}
    finally:
        stop_class("--remove-users")


def test_start_says_where_and_how_to_log_in(hub_class):
    options, printed = hub_class["options"], hub_class["printed"]
    assert f"class running at {options.public_url}" in printed
    assert "passwords.txt" in printed and "teacher" in printed
    for name in options.users:
        home = pwd.getpwnam(name).pw_dir
        assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
        assert accounts.is_class_account(name)


def test_each_student_runs_cells_on_their_own_board(hub_class):
    for name, cells in hub_class["outputs"].items():
        assert [cell.error for cell in cells] == [None] * len(cells), cells
        connect, led, _, url = cells[:1] + cells[-3:]
        assert connect.output.startswith(f"Connected to virtual board '{boardproxy.BOARD_NAME}'\n"), \
            connect.output
        assert led.output == f"pin {STUDENTS[name]} 1\n"
        assert url.output == f"{hub_class['options'].public_url}user/{name}/board/\n"
        record = board_of(name)
        assert pwd.getpwuid(os.stat(record.pts).st_uid).pw_name == name
        assert record.flash.startswith(f"/home/{name}/")
        driven = {number: state.value for number, state in pins.read(SimpleNamespace(pins_file=board_folder(name) / "pins")).items()
                  if state.mode == "out"}
        assert driven == {STUDENTS[name]: 1}, f"{name}'s board has another's pins: {driven}"


def test_each_student_has_their_own_copy_of_the_lessons(hub_class):
    for name in STUDENTS:
        lessons = hub_class["students"][name].server_api("GET", "contents").json()["content"]
        assert "01-raw-sockets.ipynb" in {entry["name"] for entry in lessons}
        assert pwd.getpwuid(os.stat(
            f"/home/{name}/lessons/01-raw-sockets.ipynb").st_uid).pw_name == name


def test_frameworks_install_from_the_class_bundle(hub_class):
    install = hub_class["outputs"]["ulab-ann"][1]
    assert install.error is None, install.error
    assert f"from mirror {hub_class['options'].bundle}" in install.output, install.output


def test_the_led_page_is_its_owners_only(hub_class):
    ann, ben = hub_class["students"]["ulab-ann"], hub_class["students"]["ulab-ben"]
    page = ann.server_url("board/")
    owner = ann.session.get(page, timeout=30)
    assert owner.status_code == 200 and owner.text == "LED page of ulab-ann"
    assert ben.session.get(ben.server_url("board/"), timeout=30).text == "LED page of ulab-ben"
    other = ben.session.get(page, timeout=30)
    assert other.status_code == 403 and "/hub/api/oauth2/authorize" in other.url
    other_token = requests.get(page, headers={"Authorization": f"token {ben.token}"}, timeout=30)
    assert other_token.status_code == 403
    logged_out = requests.get(page, timeout=30)
    assert "/hub/login" in logged_out.url and "LED page" not in logged_out.text


def test_a_server_proxies_only_its_own_board(hub_class):
    ann = hub_class["students"]["ulab-ann"]
    hub_port = hub_class["options"].hub_port
    for path in (f"proxy/{hub_port}/hub/api/", f"proxy/127.0.0.1:{hub_port}/hub/api/",
                 f"proxy/absolute/{hub_port}/hub/api/"):
        assert ann.session.get(ann.server_url(path), timeout=30).status_code == 404, path


def test_a_student_cannot_reach_another_students_board(hub_class):
    ben = board_of("ulab-ben")
    tries = f"""
import os, socket
for what, attempt in [
    ("socket", lambda: socket.socket(socket.AF_UNIX).connect({str(ben.socket_path(80))!r})),
    ("serial", lambda: open({ben.pts!r}, "rb")),
    ("flash", lambda: os.listdir({ben.flash!r})),
    ("home", lambda: os.listdir("/home/ulab-ben")),
]:
    try:
        attempt()
        print(what, "reached")
    except PermissionError:
        print(what, "denied")
"""
    answer = run_as("ulab-ann", tries)
    assert answer.stdout.split() == ["socket", "denied", "serial", "denied", "flash", "denied",
                                     "home", "denied"], answer.stderr
    # and nothing of the board is on loopback TCP, which every user shares
    tcp = {line.split()[9] for table in ("/proc/net/tcp", "/proc/net/tcp6")
           for line in Path(table).read_text().splitlines()[1:]}
    fds = Path(f"/proc/{ben.interpreter_pid}/fd")
    held = {re.sub(r"\D", "", os.readlink(fd)) for fd in fds.iterdir()
            if os.readlink(fd).startswith("socket:")}
    assert not held & tcp


def nbgrader_api(user: Student, method: str, path: str, timeout=60, **kwargs) -> dict:
    """One of nbgrader's URLs on ``user``'s server (not under /api), as its panels call them."""
    answer = requests.request(method, user.server_url(path), timeout=timeout,
                              headers={"Authorization": f"token {user.token}"}, **kwargs)
    answer.raise_for_status()
    result = answer.json()
    assert not isinstance(result, dict) or result.get("success", True), result
    return result


def test_the_teacher_has_the_course_and_the_formgrader(hub_class):
    exchange = hub_class["grading"] / "exchange"
    assert stat.S_IMODE(os.stat(exchange).st_mode) == 0o1777
    source = Path(pwd.getpwnam(TEACHER).pw_dir, "course", "source", ASSIGNMENT,
                  f"{ASSIGNMENT}.ipynb")
    assert pwd.getpwuid(os.stat(source).st_uid).pw_name == TEACHER
    assert f"user/{TEACHER}/formgrader" in hub_class["printed"]
    listed = nbgrader_api(hub_class["teacher"], "GET", "formgrader/api/assignments")
    assert ASSIGNMENT in {assignment["name"] for assignment in listed}
    ann = hub_class["students"]["ulab-ann"]
    refused = requests.get(ann.server_url("formgrader/api/assignments"), timeout=60,
                           headers={"Authorization": f"token {ann.token}"})
    assert refused.status_code == 404


def test_an_exercise_goes_out_comes_in_and_is_graded_with_feedback(hub_class):
    teacher, ann = hub_class["teacher"], hub_class["students"]["ulab-ann"]
    nbgrader_api(teacher, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/assign",
                 timeout=GRADING_TIMEOUT)
    nbgrader_api(teacher, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/release")
    released = nbgrader_api(ann, "GET", "assignments", params={"course_id": course.COURSE_ID})
    assert [item["assignment_id"] for item in released["value"]] == [ASSIGNMENT], released
    form = {"course_id": course.COURSE_ID, "assignment_id": ASSIGNMENT}
    nbgrader_api(ann, "POST", "assignments/fetch", data=form)

    # The student solves the exercise in their copy, as they would in JupyterLab.
    path = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    copy = ann.server_api("GET", f"contents/{path}").json()["content"]
    [exercise] = [cell for cell in copy["cells"]
                  if "exercise" in cell["metadata"].get("tags", [])]
    exercise["source"] = course.solution_path(paths.NOTEBOOKS / f"{ASSIGNMENT}.ipynb").read_text()
    ann.server_api("PUT", f"contents/{path}", json={
        "type": "notebook", "format": "json", "content": copy}).raise_for_status()
    nbgrader_api(ann, "POST", "assignments/submit", data=form)

    nbgrader_api(teacher, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/collect")
    nbgrader_api(teacher, "POST", f"formgrader/api/submission/{ASSIGNMENT}/ulab-ann/autograde",
                 timeout=GRADING_TIMEOUT)
    submission = nbgrader_api(teacher, "GET", f"formgrader/api/submission/{ASSIGNMENT}/ulab-ann")
    assert (submission["score"], submission["max_score"]) == (1, 1), submission

    nbgrader_api(teacher, "POST",
                 f"formgrader/api/assignment/{ASSIGNMENT}/ulab-ann/generate_feedback",
                 timeout=GRADING_TIMEOUT)
    nbgrader_api(teacher, "POST",
                 f"formgrader/api/assignment/{ASSIGNMENT}/ulab-ann/release_feedback")
    nbgrader_api(ann, "POST", "assignments/fetch_feedback", data=form)
    folder = ann.server_api("GET", f"contents/{ASSIGNMENT}/feedback").json()["content"]
    [when] = [entry["path"] for entry in folder if entry["type"] == "directory"]
    page = ann.server_api("GET", f"contents/{when}/{ASSIGNMENT}.html").json()["content"]
    assert "well done: /api/toggle works" in page


def test_stop_leaves_no_process_user_or_board(hub_class):
    options, uids = hub_class["options"], hub_class["uids"]
    boards = [board_of(name) for name in STUDENTS]
    stopped = stop_class("--remove-users")
    assert stopped.stderr == "", f"the class did not stop cleanly: {stopped.stderr}"
    for name, uid in uids.items():
        assert accounts.processes_of(uid) == [], f"{name}'s processes are left"
        with pytest.raises(KeyError):
            pwd.getpwnam(name)
        assert not os.path.exists(f"/home/{name}")
    for record in boards:
        assert not is_running(record.pid) and not is_running(record.interpreter_pid)
    assert not is_running(options.hub_pid)
