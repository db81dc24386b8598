"""The scenarios shipped with escalation-sim.

This folder is installed as the package ``sim.library`` (see pyproject.toml), so
``escalation list``, ``escalation theory`` and the notebooks find these files through
:mod:`sim.scenario.library` wherever the package is installed.
"""
