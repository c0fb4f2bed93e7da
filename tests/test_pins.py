"""Every install goes through the pins: the Makefile's installs read constraints.txt, that file
pins every dependency, pip and the build backend (the venv's own, which builds the project),
and what is installed where the tests run is what it pins. A new release upstream then never
turns a fresh clone red, nor changes what the tests ran against."""

import re
import tomllib
from importlib.metadata import distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _recipes() -> dict[str, list[str]]:
    """Each Makefile target's recipe lines, continuation lines joined and `$(NAME)` variables
    expanded (one level deep is all the Makefile uses)."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    variables = dict(re.findall(r"^([A-Z_]+)\s*:?=\s*(.*)$", text, re.M))
    recipes: dict[str, list[str]] = {}
    target = ""
    for line in text.splitlines():
        if line.startswith("\t") and target:
            recipes[target].append(
                re.sub(r"\$\(([A-Z_]+)\)", lambda m: variables.get(m[1], m[0]), line.strip())
            )
        elif re.match(r"^[^\s#=]+:(?!=)", line):
            target = line.split(":", 1)[0]
            recipes[target] = []
    return recipes


def _name(requirement: str) -> str:
    """A distribution's name as pip compares them (PEP 503: case, `_` and `.` folded)."""
    name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin (name==version)"
            pins[_name(name)] = version
    return pins


def test_every_install_of_make_reads_the_pins_and_the_build_backend_is_pinned_too():
    installs = [
        (target, line)
        for target, lines in _recipes().items()
        for line in lines
        if "pip install" in line and target != "upgrade"  # upgrade moves the pins on purpose
    ]
    assert len(installs) >= 4  # pip itself, the app, the test extras, the browser extra
    tools = [line for _, line in installs if line.endswith("--upgrade pip setuptools")]
    assert len(tools) == 1, "one install puts the pinned pip and build backend in the venv"
    for target, line in installs:
        assert "--constraint constraints.txt" in line, f"make {target}: unpinned: {line}"
        if line in tools:
            continue
        # anything built from source (the project itself) is built by the venv's own setuptools,
        # the pinned one, never by one pip would fetch unpinned into a build environment
        assert "--no-build-isolation" in line, f"make {target}: {line}"


def test_the_pins_cover_every_dependency_pip_and_the_build_backend():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [
        *project["project"]["dependencies"],
        *(r for extra in project["project"]["optional-dependencies"].values() for r in extra),
        *project["build-system"]["requires"],
        "pip",
    ]
    pins = _pins()
    missing = sorted({_name(r) for r in wanted} - pins.keys())
    assert not missing, f"constraints.txt pins none of {missing}"
    # the pinned backend meets the project's own floor (setuptools>=77)
    (backend,) = project["build-system"]["requires"]
    floor = tuple(int(p) for p in backend.split(">=")[1].split("."))
    assert tuple(int(p) for p in pins[_name(backend)].split(".")) >= floor


def test_what_is_installed_where_the_tests_run_is_what_the_pins_say():
    """pip, setuptools and every package of the venv at its pinned version: a venv made by
    an older Makefile, or a package installed by hand, is named here (`make clean` starts
    again)."""
    pins = _pins()
    wrong = sorted(
        f"{dist.metadata['Name']} {dist.version} (pinned: {pins.get(name, 'not at all')})"
        for dist in distributions()
        if (name := _name(dist.metadata["Name"])) != "msgsvc-tui" and pins.get(name) != dist.version
    )
    assert not wrong, f"installed, not as constraints.txt pins: {wrong}"
