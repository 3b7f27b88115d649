"""A pytest plugin for nbval's runs (``-p nbval_ipc``): its kernels on unix sockets.

nbval starts each notebook's kernel with a bare ``KernelManager``, which
takes TCP ports; four workers starting kernels at once can take one
another's (upylab/kernel/local.py).  nbval has no option for the
transport, so its module's KernelManager is replaced by one with
upylab's settings.
"""
import nbval.kernel
from jupyter_client.manager import KernelManager

from upylab.kernel import local


def pytest_configure(config):
    nbval.kernel.KernelManager = _local_manager


def _local_manager(**options):
    return KernelManager(**local.settings(), **options)
