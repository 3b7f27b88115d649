"""Kernel entry point: ``python -m upylab.kernel -f CONNECTION_FILE``.

This is what the kernelspec runs; it never opens a serial port by itself
(the lesson's ``%serialconnect`` cell does), so the kernel answers
``kernel_info`` at once, with or without a board.
"""
from ipykernel.kernelapp import IPKernelApp

from upylab.kernel.kernel import UpylabKernel

IPKernelApp.launch_instance(kernel_class=UpylabKernel)
