"""Run All stops at the first error, every time.

JupyterLab's Run All sends one execute request per cell, with
``stop_on_error``; after a cell fails, ipykernel aborts the requests it has
already *received*: it queues a "stop aborting" marker behind them, and
runs whatever comes after the marker.  But JupyterLab does not send a Run
All's requests at once: they leave the browser a few milliseconds apart
(measured with JupyterLab 4.6: about 60 ms for 20 cells, the browser still
sending after the first error had come back), so a cell that fails fast
(no board connected, a busy port) fails before the last requests arrive,
and those run.  Which ones ran varied from try to try, with this kernel and
with the Python kernel alike.

A client that waits for each reply (nbval, nbclient, a student) sends its
next request only after it has the error; a Run All does not wait.  So the
kernel holds back a fast error reply until ``SAME_RUN`` seconds after the
cell started: by then the rest of a Run All has arrived, and ipykernel
aborts it, while the next request of a waiting client still comes after
the marker and runs.  A cell that ran longer than that is not held at all.
"""
import asyncio
import time

SAME_RUN = 0.3          # seconds: more than one Run All's spread, less than anyone notices


class StopOnError:
    def __init__(self):
        self._started = 0.0

    def starting(self):
        self._started = time.monotonic()

    async def hold(self, parent, status: str):
        """Before an error reply that stops a run: wait until the run has arrived."""
        content = parent.get("content", {})
        stops = content.get("stop_on_error", True) and not content.get("silent", False)
        if status == "error" and stops:
            await asyncio.sleep(max(0.0, self._started + SAME_RUN - time.monotonic()))
