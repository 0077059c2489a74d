"""``python -m lyceum``: the command line."""

from lyceum.cli import main

raise SystemExit(main())
