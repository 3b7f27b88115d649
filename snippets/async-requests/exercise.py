# The check for lesson 03's exercise: run on the board.
#
#   asyncio.run(exercise.check(globals().get('fetch_all'), host))
#
# fetch_all(urls, timeout_ms) must return, in order, the JSON answer of each
# URL, or None for a URL that did not answer within timeout_ms; and it must
# make the requests at the same time.  The check starts the slow server on
# port 80, asks for three quick routes and one too slow, and prints one line:
# "well done: ..." or "not yet: ..." with the reason (also when fetch_all is
# None: the cell that defines it has not run yet).
import asyncio
import time

import slow_server

DELAYS_MS = (300, 300, 300, 3000)
TIMEOUT_MS = 600
LIMIT_MS = 2 * TIMEOUT_MS     # one after another needs 3 x 300 + 600 ms at least
GIVE_UP_S = 6                 # the starting version needs 3.9 s


async def check(fetch_all, host):
    if fetch_all is None:
        print("not yet: run the exercise cell first (it defines fetch_all)")
        return False
    urls = ["http://%s/delay/%d" % (host, ms) for ms in DELAYS_MS]
    expected = [{"delay_ms": ms} for ms in DELAYS_MS[:-1]] + [None]
    server = await slow_server.start()
    try:
        started = time.ticks_ms()
        try:
            answers = await asyncio.wait_for(fetch_all(urls, TIMEOUT_MS), GIVE_UP_S)
        except asyncio.TimeoutError:
            print("not yet: fetch_all did not return within %d s" % GIVE_UP_S)
            return False
        elapsed = time.ticks_diff(time.ticks_ms(), started)
    finally:
        await slow_server.stop(server)
    answers = list(answers) if isinstance(answers, (list, tuple)) else answers
    if answers != expected:
        print("not yet: the answers should be", expected)
        print("         fetch_all returned   ", answers)
        return False
    if elapsed > LIMIT_MS:
        print("not yet: right answers, but they took %d ms; at the same time they take"
              " about %d ms" % (elapsed, TIMEOUT_MS))
        return False
    print("well done: right answers, the slow one given up on, all %d in flight at once"
          % len(urls))
    return True
