"""Run one process (`python -m bench.profiled OUT -m uvicorn ...`) under pyinstrument and
write its profile to OUT when it is stopped.

uvicorn restores the signal handlers it found and re-raises SIGTERM after its graceful
shutdown, so the handler set here runs last and can write the report before the process
exits (pyinstrument's own command line never gets that chance).
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
from pathlib import Path
from typing import Any

from pyinstrument import Profiler


def main() -> None:
    out = Path(sys.argv[1])
    rest = sys.argv[2:]
    if rest[:1] != ["-m"] or len(rest) < 2:
        raise SystemExit("usage: python -m bench.profiled OUT -m MODULE [ARGS...]")
    module = rest[1]
    sys.argv = [module, *rest[2:]]
    profiler = Profiler(interval=0.005, async_mode="disabled")

    def stop(*_: Any) -> None:
        profiler.stop()
        tree = profiler.output_text(unicode=True, color=False)
        # Where the time goes, function by function (self time), idle loop included.
        flat = profiler.output_text(unicode=True, color=False, flat=True, flat_time="self")
        out.write_text(tree + "\n" + flat, encoding="utf-8")
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    profiler.start()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
