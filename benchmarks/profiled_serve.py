"""The CPO as `plugfest cpo serve` runs it (uvicorn.run, one worker), with cProfile switched on
and off by signals, so a profile holds only the requests under load, not the imports and
start-up: SIGUSR1 starts it, SIGUSR2 stops it and writes the stats to `--out`.

    python benchmarks/profiled_serve.py --port 9000 --out cpo.prof   # settings from the env
"""

from __future__ import annotations

import argparse
import cProfile
import signal
from pathlib import Path
from types import FrameType

import uvicorn

from simulator.cpo.app import CpoSettings, create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    profiler = cProfile.Profile()

    def start(_signum: int, _frame: FrameType | None) -> None:
        profiler.enable()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(args.out)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    application = create_app(CpoSettings())  # OCPI_BASE_URL etc. from the environment
    uvicorn.run(application, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
