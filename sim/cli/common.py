"""What every command shares: exit codes, argument types, loading a scenario with its
problems printed, finding shipped scenarios by name, and progress output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "Parser",
    "Progress",
    "add_roots",
    "load_or_report",
    "positive_int",
    "scenario_path",
    "seed",
]

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130


class Parser(argparse.ArgumentParser):
    """argparse with our exit status for bad options (2) and no traceback."""

    def error(self, message: str):  # argparse's own exit status is 2 as well
        """Print the usage and the problem (with the closest option for a misspelt
        one), and exit with status 2."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}{self._hint(message)}\n")

    def _hint(self, message: str) -> str:
        import difflib
        import re

        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:  # a misspelt command (or choice)
            choices = re.findall(r"'([^']*)'", m.group(2))
            close = difflib.get_close_matches(m.group(1), choices, n=1, cutoff=0.6)
            return f" (did you mean '{close[0]}'?)" if close else ""
        if not message.startswith("unrecognized arguments:"):
            return ""
        words = [w for w in message.split(":", 1)[1].split() if w.startswith("--")]
        known = {o for parser in self._all_parsers() for a in parser._actions
                 for o in a.option_strings if o.startswith("--")}
        hints = [f"{w} -> {close[0]}" for w in words
                 if (close := difflib.get_close_matches(w.split("=")[0], known, n=1,
                                                         cutoff=0.7))]
        return f" (did you mean: {'; '.join(hints)}?)" if hints else ""

    def _all_parsers(self):
        yield self
        for a in self._actions:
            if isinstance(a, argparse._SubParsersAction):
                for sub in a.choices.values():
                    yield from sub._all_parsers() if isinstance(sub, Parser) else [sub]


def positive_int(text: str) -> int:
    """A whole number >= 1; underscores and commas allowed (``100_000``, ``100,000``)."""
    return _whole_number(text, 1, "must be at least 1", text.replace("_", "").replace(",", ""))


def seed(text: str) -> int:
    """A root seed: a whole number >= 0."""
    return _whole_number(text, 0, "seeds are non-negative")


def _whole_number(text: str, least: int, rule: str, digits: str | None = None) -> int:
    try:
        v = int(text if digits is None else digits)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < least:
        raise argparse.ArgumentTypeError(f"{rule}, got {v}")
    return v


def scenario_path(text: str) -> str:
    """A scenario argument: a file, or the name of a shipped scenario as ``escalation
    list`` prints it (``iran_2026/baseline.yaml``, with or without ``.yaml``)."""
    if Path(text).exists():
        return text
    from sim.scenario.library import library_root

    root = library_root()
    name = text.removeprefix("scenarios/")
    for candidate in (name, f"{name}.yaml"):
        if (root / candidate).is_file():
            return str(root / candidate)
    return text  # the loader reports the missing file


def add_roots(parser) -> None:
    """The ``--scenario-root`` option: folders variants may take their bases from."""
    parser.add_argument("--scenario-root", action="append", default=[], metavar="DIR",
                        dest="roots", help="a folder a variant's variant_of may point into, "
                        "besides the variant's own folder and the shipped library "
                        "(repeat for more)")


def load_or_report(path: str, roots: list[str] = ()):
    """Load a scenario, printing its problems and returning None if it is invalid."""
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    try:
        return load_scenario(path, roots=tuple(roots))
    except ScenarioError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        if not Path(path).exists():
            print(missing_scenario_hint(str(path)), file=sys.stderr)
        print(f"{len(err.problems)} problem(s); nothing was run", file=sys.stderr)
        return None


def missing_scenario_hint(text: str) -> str:
    """For a scenario argument that names no file: the closest shipped names, and where
    to see them all."""
    import difflib

    from sim.scenario.library import library_root, listing

    root = library_root()
    names = [f.relative_to(root).as_posix() for f in listing(root)]
    stems = {n.removesuffix(".yaml"): n for n in names}
    want = text.removeprefix("scenarios/").removesuffix(".yaml")
    close = difflib.get_close_matches(want, list(stems), n=2, cutoff=0.8)
    close += [n for n in stems if n.split("/")[-1] == want and n not in close]
    hint = f"did you mean {', '.join(stems[c] for c in close)}? " if close else ""
    return (f"{hint}(`escalation list` shows the shipped scenarios; a file of your own "
            "needs its path)")


class Progress:
    """A tqdm bar on a terminal, plain progress lines (about every 10%) otherwise.

    Call :meth:`update` with the count done and optionally a note (rate, time left).
    """

    def __init__(self, total: int, unit: str, quiet: bool):
        self.total, self.unit, self.quiet = total, unit, quiet
        self.done, self.next_line, self.bar = 0, 0.1, None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=unit, unit_scale=unit == "trial",
                            file=sys.stderr)

    def update(self, done: int, note: str = "") -> None:
        """Show that ``done`` of the total are done, with an optional note."""
        self.done = done
        if self.quiet:
            return
        if self.bar is not None:
            if note and self.unit != "trial":  # tqdm shows trials/s itself
                self.bar.set_postfix_str(note)
            self.bar.update(done - self.bar.n)
        elif done / self.total >= self.next_line or done == self.total:
            print(f"{done:,}/{self.total:,} {self.unit}s" + (f", {note}" if note else ""),
                  file=sys.stderr, flush=True)
            while self.next_line <= done / self.total:
                self.next_line += 0.1

    def close(self) -> None:
        """Close the bar, if one is shown."""
        if self.bar is not None:
            self.bar.close()
