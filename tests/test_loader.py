"""Loading scenario files: exact messages for bad files, variants, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import yaml_io
from sim.scenario.errors import ScenarioError
from sim.scenario.format import Scenario
from sim.scenario.loader import load_scenario, scenario_from_dict, scenario_text, validate_paths
from sim.scenario.yaml_io import read_document
from tests.files import ROOT

BAD = Path("tests/bad_scenarios")
MINIMAL = Path("tests/fixtures/minimal.yaml")
CORPUS = sorted(p.name for p in (ROOT / BAD).glob("*.yaml"))


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch):
    """Messages name files as given; give them relative to the repo root."""
    monkeypatch.chdir(ROOT)


#: Variants in these tests take bases from tests/fixtures: name the folder (roots=).
TESTS = (ROOT / "tests",)


def problems_of(path, roots=TESTS) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, roots=roots)
    return [str(p) for p in info.value.problems]


def variant(tmp_path: Path, changes: str, name: str = "variant.yaml", base=None) -> Path:
    base = base or (ROOT / MINIMAL)
    path = tmp_path / name
    path.write_text(
        f"variant_of: {base}\nname: a_variant\ntitle: A variant\n"
        f"description: For a test.\nchanges:\n{changes}"
    )
    return path


# --- the corpus of bad scenarios ------------------------------------------------------------


def test_corpus_is_complete():
    assert len(CORPUS) >= 15
    missing = [
        n for n in CORPUS if not (ROOT / BAD / "expected" / n.replace(".yaml", ".txt")).exists()
    ]
    assert not missing, f"no expected messages for {missing}"


@pytest.mark.parametrize("name", CORPUS)
def test_bad_scenario_messages(name):
    expected = (ROOT / BAD / "expected" / name.replace(".yaml", ".txt")).read_text().splitlines()
    assert problems_of(BAD / name) == expected


def test_minimal_fixture_is_valid():
    s = load_scenario(MINIMAL)
    assert isinstance(s, Scenario)
    assert list(s.actors) == ["blue", "red"]
    assert len(s.ladder.rungs) == 3
    assert list(s.outcomes)[-1] == "stalemate"


def test_every_problem_in_a_file_has_a_line_and_column():
    problems = validate_paths([BAD / n for n in CORPUS if n != "empty.yaml"], TESTS)
    assert problems
    assert all(p.file and p.line and p.column for p in problems), [
        str(p) for p in problems if not p.line
    ]


def test_validate_paths_collects_every_file():
    problems = validate_paths([MINIMAL, BAD / "unknown_field.yaml", BAD / "wrong_type.yaml"],
                              TESTS)
    assert {p.file for p in problems} == {
        str(BAD / "unknown_field.yaml"),
        str(BAD / "wrong_type.yaml"),
    }
    assert validate_paths([MINIMAL]) == []


# --- file-level failures -------------------------------------------------------------------


def test_missing_file_and_directory(tmp_path):
    assert problems_of(tmp_path / "nope.yaml") == [
        f"{tmp_path / 'nope.yaml'}: (document): file not found"
    ]
    assert problems_of(tmp_path) == [
        f"{tmp_path}: (document): this is a directory, not a scenario file"
    ]


def test_file_over_1_mb_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """The size is checked from the file system; the text is never read or parsed."""
    big = tmp_path / "big.yaml"
    big.write_text("a: [" + "1, " * 400_000 + "1]\n")
    monkeypatch.setattr(yaml_io, "_decode", _must_not_run)
    (message,) = problems_of(big)
    assert "limited to 1 MB" in message


def test_many_lines_are_refused_before_parsing(tmp_path, monkeypatch):
    """Short comment lines slow ruamel's parser sharply; past MAX_LINES the file is
    refused before parsing."""
    path = tmp_path / "comments.yaml"
    path.write_text("name: x\n" + "#\n" * 100_000)
    monkeypatch.setattr(yaml_io, "_parse", _must_not_run)
    (message,) = problems_of(path)
    assert f"limited to {yaml_io.MAX_LINES:,} lines" in message


def _must_not_run(*args, **kwargs):
    raise AssertionError("the file should have been refused before this step")


def test_recursive_alias_is_bounded(tmp_path):
    """A self-referencing alias would expand forever; it is not followed (it reads as
    null), so the work is bounded by the file's own nodes."""
    path = tmp_path / "loop.yaml"
    path.write_text("name: loop\nissues: &a {b: *a}\nactors: &b [*b]\n")
    got = problems_of(path)
    assert f"{path}:2:9: issues.b: expected a mapping, got null" in got, got


def test_very_deep_block_nesting_is_a_problem(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("".join(f"{' ' * i}k{i}:\n" for i in range(300)) + " " * 300 + "x: 1\n")
    (message,) = problems_of(path)
    assert f"nesting is too deep (the limit is {yaml_io.MAX_DEPTH} levels)" in message


def test_many_nodes_are_bounded(tmp_path, monkeypatch):
    """The composer stops at MAX_NODES nodes: a million-item list is never built."""
    path = tmp_path / "wide.yaml"
    path.write_text("a: [" + "1," * 400_000 + "1]\n")  # one line, under 1 MB
    composed = []
    real = yaml_io._BoundedComposer.compose_node

    def counting(self, parent, index):
        composed.append(1)
        return real(self, parent, index)

    monkeypatch.setattr(yaml_io._BoundedComposer, "compose_node", counting)
    (message,) = problems_of(path)
    assert f"more than {yaml_io.MAX_NODES:,} YAML nodes" in message
    assert len(composed) == yaml_io.MAX_NODES + 1


def test_unsupported_tags_are_problems_not_objects(tmp_path):
    path = tmp_path / "tags.yaml"
    path.write_text("name: !!binary aGVsbG8=\ntitle: !!python/object:os.system x\n")
    got = problems_of(path)
    assert got[0].startswith(f"{path}:1:7: name: unsupported YAML value")
    assert len(got) == 2


def test_dates_stay_text(tmp_path):
    path = variant(tmp_path, "  articles: {talks: {headline: Talks resume, date: 2026-02-11}}\n")
    s = load_scenario(path, roots=TESTS)
    assert s.articles["talks"].date == "2026-02-11"


# --- variants --------------------------------------------------------------------------------


def test_variant_applies_changes(tmp_path):
    path = variant(
        tmp_path,
        "  actors.blue.moves.0.cost: 0.07\n"
        "  red_lines.missiles_untouchable: null\n"
        "  actors.red.war_cost: {dist: uniform, low: 0.2, high: 0.4}\n"
        "  actors.red.discount: 0.9\n"
        "  protocol.parties.1: red\n",
    )
    s = load_scenario(path, roots=TESTS)
    base = load_scenario(MINIMAL)
    assert (s.name, s.title, s.description) == ("a_variant", "A variant", "For a test.")
    assert s.actors["blue"].moves[0].cost == 0.07
    assert s.red_lines == {}
    assert s.actors["red"].war_cost.high == 0.4
    assert s.actors["red"].discount == 0.9
    assert s.issues == base.issues and s.ladder == base.ladder


def test_variant_of_a_variant(tmp_path):
    first = variant(tmp_path, "  protocol.horizon: 20\n", name="first.yaml")
    second = variant(tmp_path, "  ladder.start: 1\n", name="second.yaml", base=first)
    s = load_scenario(second, roots=TESTS)
    assert (s.protocol.horizon, s.ladder.start) == (20, 1)
    text = scenario_text(second, roots=TESTS)
    assert text.startswith(second.read_text())
    assert first.read_text() in text and (ROOT / MINIMAL).read_text() in text
    assert scenario_text(MINIMAL) == (ROOT / MINIMAL).read_text()


def test_problem_in_base_is_reported_at_the_base_line(tmp_path):
    base = ROOT / BAD / "unknown_issue_in_preferences.yaml"
    path = variant(tmp_path, "  protocol.proposer: bleu\n", base=base)
    got = problems_of(path)
    assert got == [
        f"{path}:6:22: protocol.proposer: unknown proposer 'bleu'; did you mean 'blue'? "
        "(valid: 'blue', 'mediator', 'red', 'rotate')",
        f"{ROOT / BAD}/unknown_issue_in_preferences.yaml:28:7: actors.red.preferences.enrichmnt: "
        "unknown issue 'enrichmnt'; did you mean 'enrichment'? (valid: 'enrichment', 'missiles')",
    ]


def test_deleting_a_required_field_is_reported_at_the_change(tmp_path):
    path = variant(tmp_path, "  ladder.war_rung: null\n")
    assert problems_of(path) == [f"{path}:6:3: ladder.war_rung: required field missing"]


def test_variant_with_missing_base(tmp_path):
    path = variant(tmp_path, "  protocol.horizon: 5\n", base="nowhere.yaml")
    (message,) = problems_of(path)
    assert message.startswith(f"{path}:1:13: variant_of: base scenario 'nowhere.yaml' not found")


# --- programmatic use ------------------------------------------------------------------------


def test_scenario_from_dict():
    data = read_document(MINIMAL).data
    assert scenario_from_dict(data) == load_scenario(MINIMAL)
    data["protocol"]["horizon"] = -3
    data["actors"]["blue"]["resolv"] = 1
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, origin="sweep point 7")
    assert [str(p) for p in info.value.problems] == [
        "sweep point 7: actors.blue.resolv: unknown field 'resolv'; did you mean 'resolve'? "
        "(valid: 'assumption', 'audience_cost', 'beliefs', 'capability', 'description', "
        "'discount', 'influence', 'moves', 'name', 'preferences', 'rationality', 'resolve', ...)",
        "sweep point 7: protocol.horizon: must be >= 1 (got -3)",
    ]


def test_scenario_from_dict_checks_references():
    data = read_document(MINIMAL).data
    data["protocol"]["parties"] = ["blue", "green"]
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data)
    assert "<dict>: protocol.parties.1: unknown actor 'green'" in str(info.value)


# --- anything at all is a ScenarioError or a scenario ------------------------------------------


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(tmp_path, raw):
    path = tmp_path / "random.yaml"
    path.write_bytes(raw)
    try:
        load_scenario(path)
    except ScenarioError as e:
        assert e.problems


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#,? \n\t\\%@`0.1")) | st.characters(),
        max_size=200,
    )
)
def test_random_text_never_crashes(tmp_path, text):
    path = tmp_path / "random.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_scenario(path)
    except ScenarioError as e:
        assert e.problems


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_damaged_scenario_never_crashes(tmp_path, data):
    """Splice random text into the valid fixture: reach the validation paths too."""
    text = (ROOT / MINIMAL).read_text()
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 20)))
    insert = data.draw(st.text(alphabet=list("abz019.-_ :[]{}\n,"), max_size=12))
    path = tmp_path / "damaged.yaml"
    path.write_text(text[:start] + insert + text[end:])
    try:
        load_scenario(path)
    except ScenarioError as e:
        assert e.problems
        assert all(p.file == str(path) for p in e.problems)


def test_value_and_reference_mistakes_are_reported_together(tmp_path):
    """A field error elsewhere does not hide a misspelt name: every problem at once."""
    text = (ROOT / "tests/fixtures/minimal.yaml").read_text()
    text = text.replace("breakdown_risk: 0.05", "breakdown_risk: 1.5")
    text = text.replace("holder: red", "holder: rde").replace("proposer: mediator",
                                                                "proposer: mediatr")
    bad = tmp_path / "mixed.yaml"
    bad.write_text(text)
    messages = [p.message for p in problems_of_scenario(bad)]
    assert any("must be <= 1 (got 1.5)" in m for m in messages)
    assert any("unknown actor 'rde'; did you mean 'red'?" in m for m in messages)
    assert any("unknown proposer 'mediatr'; did you mean 'mediator'?" in m for m in messages)


def problems_of_scenario(path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, roots=TESTS)
    return info.value.problems


# --- where a variant's base may be ---------------------------------------------------------


def test_a_base_outside_the_variants_folder_is_refused_unless_named(tmp_path):
    inner = tmp_path / "mine"
    inner.mkdir()
    path = variant(inner, "  protocol.horizon: 5\n", base=ROOT / MINIMAL)
    (message,) = problems_of(path, roots=())
    assert f"{path}:1:13: variant_of: base scenario '{ROOT / MINIMAL}' is outside this " \
        "variant's folder" in message
    assert "--scenario-root DIR" in message
    assert load_scenario(path, roots=(ROOT / "tests" / "fixtures",)).protocol.horizon == 5
    relative = variant(inner, "  protocol.horizon: 5\n", base="../../elsewhere.yaml")
    assert "is outside this variant's folder" in problems_of(relative, roots=())[0]


def test_a_base_in_the_shipped_library(tmp_path):
    path = variant(tmp_path, "  protocol.horizon: 13\n",
                   base="library:iran_2026/baseline.yaml")
    s = load_scenario(path)
    assert s.protocol.horizon == 13 and "iran" in s.actors


@pytest.mark.parametrize("content", [
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n",  # a passwd file
    "aws_secret_access_key: SECRETVALUE\nregion: eu-west-1\n",  # a YAML credentials file
    "[default]\naws_secret_access_key = SECRETVALUE\n",  # an INI credentials file
])
def test_a_base_that_is_not_a_scenario_is_never_quoted(tmp_path, content):
    (tmp_path / "secret").write_text(content)
    path = variant(tmp_path, "  protocol.horizon: 5\n", base="secret")
    got = problems_of(path, roots=())
    assert len(got) == 1 and "is not a" in got[0], got
    for leak in ("root:x", "SECRETVALUE", "aws_secret", "region", "default"):
        assert leak not in got[0], got
