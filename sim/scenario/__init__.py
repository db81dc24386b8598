"""Scenario files: the format, reading YAML with line numbers, readable problems,
variants, cross-references, dotted paths, the JSON Schema and the shipped library.

The first arrow of the data flow: a YAML file becomes a validated, frozen
:class:`~sim.scenario.format.Scenario`. Nothing downstream reads YAML again.
"""
