"""mkdocs hook: the admin API reference page, generated at build time (issue #14)."""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files

from plugfest.admin_reference import markdown, parties


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "reference/admin-api.md", content=markdown(parties())))
    return files
