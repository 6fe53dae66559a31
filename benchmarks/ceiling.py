"""The ceiling: a bare Litestar app under uvicorn, configured exactly as `plugfest cpo serve`
(`uvicorn.run(app, host, port)`: one worker, the same loop and HTTP implementation), answering
the CPO's own URLs with bytes captured from the CPO beforehand, so it does no work at all.

    python benchmarks/ceiling.py --port 9100 --bytes-dir DIR   # DIR/page.json, DIR/one.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn
from litestar import Litestar, Response, get

BASE = "/ocpi/cpo/2.2.1/locations"


def create_app(page: bytes, one: bytes) -> Litestar:
    @get(BASE, sync_to_thread=False)
    def locations_page() -> Response[bytes]:
        return Response(page, media_type="application/json")

    @get(BASE + "/{location_id:str}", sync_to_thread=False)
    def one_location(location_id: str) -> Response[bytes]:
        return Response(one, media_type="application/json")

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([locations_page, one_location, health], openapi_config=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bytes-dir", type=Path, required=True)
    args = parser.parse_args()
    page = (args.bytes_dir / "page.json").read_bytes()
    one = (args.bytes_dir / "one.json").read_bytes()
    uvicorn.run(create_app(page, one), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
