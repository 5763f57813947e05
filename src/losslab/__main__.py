"""``python -m losslab`` runs the command line."""

import sys

from losslab.cli import main

sys.exit(main())
