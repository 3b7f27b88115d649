"""The kernelspec lives inside the environment, and runs this package's kernel."""
import json
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from upylab.kernel import install


def test_install_writes_into_the_given_prefix_only(tmp_path):
    folder = install.install(prefix=str(tmp_path))
    assert folder == tmp_path / "share" / "jupyter" / "kernels" / install.KERNEL_NAME
    spec = json.loads((folder / "kernel.json").read_text())
    assert spec["display_name"] == "MicroPython (upylab)"
    assert spec["argv"] == [sys.executable, "-m", "upylab.kernel", "-f", "{connection_file}"]


def test_setup_installed_it_in_the_venv():
    """``make setup`` ran ``upylab kernel install``; Jupyter finds it under sys.prefix."""
    spec = KernelSpecManager().get_kernel_spec(install.KERNEL_NAME)
    assert Path(spec.resource_dir).is_relative_to(sys.prefix)
    assert spec.argv[1:3] == ["-m", "upylab.kernel"]
