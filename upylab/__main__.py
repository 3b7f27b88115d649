"""``python -m upylab`` is the same as the ``upylab`` command."""
import sys

from upylab.cli import main

sys.exit(main())
