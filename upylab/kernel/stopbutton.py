"""What the stop button (■) leaves on the board, and how the kernel tidies it.

■ sends Ctrl-C: the board raises ``KeyboardInterrupt`` wherever the cell
is.  Plain code unwinds, running its ``finally:`` clauses (a blocking
server closes its socket there).  asyncio does not: its scheduler lets
``KeyboardInterrupt`` out of ``asyncio.run()`` (it catches only
``Exception`` and ``CancelledError``) and keeps every other task in its
queues, the module-level ``_task_queue`` and ``_io_queue`` of
``asyncio.core``, which the next ``asyncio.run()`` picks up again.  So the
tasks of a stopped cell (a server waiting in ``accept``, a client, a
ticker) came back to life in the *next* asyncio cell, and their sockets
stayed bound until then.

After an interrupt the kernel therefore runs ``SETTLE`` on the board: it
cancels every task left in those queues, runs the loop until they have
finished (at most a second), so their ``finally:`` clauses close what
they opened, and then resets the loop with ``asyncio.new_event_loop()``.
It uses the same internals ``Task.cancel()`` uses, present since
MicroPython's asyncio was rewritten (1.13) and on ESP32 builds as on the
virtual board.  Nothing is left in the board's namespace.
"""
from upylab.errors import UpylabError

SETTLE = """\
def _upylab_settle():
    import sys
    core = sys.modules.get('asyncio.core')
    if core is None:
        return
    core.cur_task = None
    queue, left = core._task_queue, []
    while queue.peek():
        left.append(queue.pop())
    left = [task for task in left if not task.done()]
    for task in left:
        queue.push(task)
    for waiting in core._io_queue.map.values():          # tasks and their stream
        left.extend(item for item in waiting if isinstance(item, core.Task))
    cancelled = [task for task in left if task.cancel()]

    async def finish():
        for _ in range(100):
            if all(task.done() for task in cancelled):
                return
            await core.sleep_ms(10)

    if cancelled:
        core.run_until_complete(core.create_task(finish()))
    core.new_event_loop()

_upylab_settle()
del _upylab_settle
"""

STOPPED = "the cell was stopped"


def settle(kernel):
    """Cancel what the stopped cell left to asyncio; what it prints goes to the cell."""
    from upylab.kernel import magics
    try:
        with magics.board(kernel) as link:
            kernel.say(link.run(SETTLE))
    except UpylabError as error:
        kernel.say(f"(the tasks the cell left could not all be stopped: {error})\n")
