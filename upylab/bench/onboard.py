"""The bench's helper on the board, written to its flash as ``upylab_bench.py``.

    upylab_bench.imports(framework_module, app_module)
        prints ``BENCH ram <after import> <after app built>``: heap used
        (after gc.collect()) by importing the framework, then the app module
    upylab_bench.serve(app_module, port)
        runs the app's ``serve()`` (or, for a blocking framework, its
        ``start_thread()``) with a small monitor task beside it that
        reads one-letter commands from the serial line (no allocation while
        idle: ``ipoll`` and ``sleep_ms``):
        ``c`` gc.collect() and print ``BENCH mem <used> <free>``;
        ``d`` gc.collect(), print ``BENCH off <used>``, then gc.disable();
        ``e`` print ``BENCH on <used>`` (read first), then gc.enable().
    upylab_bench.wifi()
        joins the Wi-Fi saved in wifi_secrets.py (lesson 00, section 4) if the
        board is not on it yet, and prints ``BENCH address <ip>``: where the
        host reaches a real board's servers
"""
SOURCE = r'''
import gc
import sys
import select
import asyncio


def imports(framework, app):
    gc.collect()
    base = gc.mem_alloc()
    if framework:
        __import__(framework)
    gc.collect()
    after_import = gc.mem_alloc() - base
    __import__(app)
    gc.collect()
    print('BENCH ram', after_import, gc.mem_alloc() - base)


def wifi(timeout_ms=20000):
    import network
    import time
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    if not wlan.isconnected():
        try:
            from wifi_secrets import SSID, PASSWORD
        except ImportError:
            print('BENCH address 0.0.0.0 (no wifi_secrets.py)')
            return
        wlan.connect(SSID, PASSWORD)
        for _ in range(timeout_ms // 100):
            if wlan.isconnected():
                break
            time.sleep_ms(100)
    print('BENCH address', wlan.ifconfig()[0] if wlan.isconnected() else '0.0.0.0')


async def _monitor():
    poller = select.poll()
    poller.register(sys.stdin, select.POLLIN)
    while True:
        for _ in poller.ipoll(0):
            c = sys.stdin.read(1)
            if c == 'c':
                gc.collect()
                print('BENCH mem', gc.mem_alloc(), gc.mem_free())
            elif c == 'd':
                gc.collect()
                used = gc.mem_alloc()
                print('BENCH off', used)
                gc.disable()
            elif c == 'e':
                used = gc.mem_alloc()
                gc.enable()
                print('BENCH on', used)
        await asyncio.sleep_ms(20)


def serve(app, port=80):
    module = __import__(app)

    async def main():
        asyncio.create_task(_monitor())
        print('BENCH serving', port)
        if hasattr(module, 'serve'):
            await module.serve(port)
        else:                       # a blocking framework (micropyserver): its own thread
            module.start_thread(port)
            while True:
                await asyncio.sleep(3600)

    try:
        asyncio.run(main())
    finally:
        gc.enable()
'''
