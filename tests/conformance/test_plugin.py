"""The plugin: rule markers resolved against the catalogue; inert without a target."""

from __future__ import annotations

import pytest


def test_an_unknown_rule_id_fails_collection(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.rule("CRED-999")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tests name rules the catalogue does not have*", "*CRED-999*"])


def test_known_rule_ids_collect_and_suites_skip_without_a_target(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.rule("CRED-002")
        def test_x(judge):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*no target: pass --ocpi-versions-url*"])
