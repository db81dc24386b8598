"""The interactive page: a Mesa SolaraViz app (``escalation app``).

:mod:`sim.app.page` is the page Solara serves; :mod:`sim.cli.app` starts the server.
It needs the ``app`` extra (``pip install 'escalation-sim[app]'``).
"""
