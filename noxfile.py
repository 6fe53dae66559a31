"""Developer entry point. `nox -l` lists the sessions; `.ci/run` gates releases with them."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "types", "models", "tests"]

ROOT = Path(__file__).parent
MODELS = ROOT / "specs" / "models.py"
COMPONENTS = ROOT / "specs" / "ocpi-2.2.1" / "components.yaml"
PASSTHROUGH = (
    "CI",
    "HYPOTHESIS_PROFILE",
    "PLUGFEST_REQUIRE_SHARED",
    "PLUGFEST_REQUIRE_POSTGRES",
    "PLUGFEST_SHARED_DIR",
    "PLUGFEST_TEST_POSTGRES_URL",
)


def _install(session: nox.Session) -> None:
    session.install("-e", ".[dev]")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (pytest). Extra arguments go to pytest: `nox -s tests -- -k credentials`."""
    _install(session)
    session.run("pytest", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """The main job: our CPO and eMSP simulator on loopback, each judged by the other role's
    suite; reports in reports/ (open reports/index.html). `-- --hypothesis-profile thorough`."""
    _install(session)
    session.run("plugfest", "selfcheck", "--report-dir", "reports", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """schemathesis run, default phases and checks, 100 examples per operation, over each role's
    contract bound to our own party of that role (issue #16). `-- --role cpo --max-examples 20`."""
    _install(session)
    session.run("plugfest", "fuzz", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format) and import-linter (the layering in ARCHITECTURE.md)."""
    _install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def types(session: nox.Session) -> None:
    """mypy --strict over the packages."""
    _install(session)
    session.run("mypy")


@nox.session
def models(session: nox.Session) -> None:
    """Regenerate specs/models.py from the YAML; fail if it differed from what is committed."""
    _install(session)
    before = MODELS.read_text(encoding="utf-8") if MODELS.exists() else ""
    session.run(
        "datamodel-codegen",
        "--input", str(COMPONENTS),
        "--input-file-type", "openapi",
        "--output", str(MODELS),
        "--output-model-type", "pydantic_v2.BaseModel",
        "--target-python-version", "3.11",
        "--use-standard-collections",
        "--use-union-operator",
        "--collapse-root-models",
        "--disable-timestamp",
        "--use-double-quotes",
        "--use-schema-description",
        "--use-field-description",
        "--extra-fields", "forbid",
        "--use-annotated",
        "--field-constraints",
        "--formatters", "ruff-format",
        "--custom-file-header",
        "# Generated from specs/ocpi-2.2.1/components.yaml by `nox -s models` "
        "(datamodel-code-generator). Do not edit.",
    )  # fmt: skip
    after = MODELS.read_text(encoding="utf-8")
    if after != before:
        diff = difflib.unified_diff(
            before.splitlines(), after.splitlines(), "committed", "generated", lineterm="", n=1
        )
        session.log("\n".join(list(diff)[:200]))
        session.error("specs/models.py was stale and has been regenerated: review and commit it")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs.yml, docs/) into site/, strict: a broken link, or a page
    outside the navigation, fails. The admin API reference is generated from the routes."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"), *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (not CI): the CPO vs a bare Litestar ceiling on SQLite and PostgreSQL, with
    wrk; writes benchmarks/results/<date>.json and docs/benchmarks.md. `-- --quick` for a
    smoke run. Needs wrk on the PATH (Debian: `apt-get install wrk`)."""
    if shutil.which("wrk") is None:
        session.error("wrk is not installed: apt-get install wrk (it is the load generator)")
    _install(session)
    session.run("python", "benchmarks/bench.py", *session.posargs)
