"""`python -m scripts.consistency`: what the services hold about each other, compared.

Each service owns its data and refers to the others' by id (DESIGN "Who owns what"); a step
that failed half-way, a repair by hand or a bug can leave those references disagreeing. This
operations tool reads the four databases (read-only, each through its own service's table
models, found through the same settings the processes use: `<SERVICE>_DATABASE_URL`,
`DATABASE_URL`, or the SQLite files under `JINENG_VAR_DIR`), compares them, prints a JSON
report and exits 1 when it finds anything (0 when clean, 2 when a database cannot be read).

It reads the databases rather than asking each service over HTTP: it adds no internal
endpoint (no new surface for a leaked credential), works while a service is down, and reads
each table with one query. Every row is held in memory, which suits the programme's size
(a city's orders a year); a much larger deployment would read the tables in pages. The four
databases cannot be read at one instant together: a step in flight may show up as a finding
that a second run no longer reports.
"""

from scripts.consistency.checks import check, report, run
from scripts.consistency.snapshot import Finding, Reader, Snapshot, configured_urls, load

__all__ = ["Finding", "Reader", "Snapshot", "check", "configured_urls", "load", "report", "run"]
