"""Exit 0 when the PostgreSQL test database answers, 1 otherwise (used by `make test`)."""
import sys

import psycopg

url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
try:
    with psycopg.connect(url, connect_timeout=3) as connection:
        connection.execute("SELECT 1")
except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
    print(f"PostgreSQL not reachable at {url}: {error}", file=sys.stderr)
    sys.exit(1)
