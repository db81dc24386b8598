"""``python -m sim``: the escalation command."""

from sim.cli import main

raise SystemExit(main())
