"""``python -m sim.cli``: the escalation command."""

from sim.cli import main

raise SystemExit(main())
