"""The OCPI 2.2.1 contract as data: OpenAPI 3.1 documents, the rule catalogue, generated models.

This package imports nothing else of Plugfest's; everything else imports it.
"""

from importlib.resources import files
from pathlib import Path

OCPI_VERSION = "2.2.1"


def data_dir(*parts: str) -> Path:
    """Path of a data directory shipped inside this package."""
    return Path(str(files(__name__).joinpath(*parts)))
