"""Local HTTP servers on 127.0.0.1 that answer like the real archives, so the real clients talk real HTTP to them.

One threaded server holds astropy tables in SQLite and runs the queries it receives (ADQL's ``TOP n`` becomes
SQLite's ``LIMIT n``): TAP sync and async (UWS jobs, VOTable results) for Gaia and VizieR, SkyServer's SqlSearch
(CSV with '#Table1'), and static files for PHOENIX. ``plan`` scripts faults for the next data requests.
"""

import io
import re
import sqlite3
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import numpy as np
from astropy.io.votable import from_table
from astropy.io.votable.tree import Info
from astropy.table import MaskedColumn, Table

UWS_JOB = """<?xml version="1.0" encoding="UTF-8"?>
<uws:job xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1">
  <uws:jobId>{job_id}</uws:jobId>
  <uws:ownerId xsi:nil="true"/>
  <uws:phase>{phase}</uws:phase>
  <uws:quote xsi:nil="true"/>
  <uws:creationTime>2026-11-25T00:00:00Z</uws:creationTime>
  <uws:startTime xsi:nil="true"/>
  <uws:endTime xsi:nil="true"/>
  <uws:executionDuration>3600</uws:executionDuration>
  <uws:destruction>2036-11-25T00:00:00Z</uws:destruction>
  <uws:parameters><uws:parameter id="query">{query}</uws:parameter></uws:parameters>
  <uws:results>{results}</uws:results>
  {error}
</uws:job>
"""


INDEXED = {"source_id", "random_index", "specObjID", "objID", "bestObjID", "Source", "Cluster"}


class Archive:
    """Tables by name (as the queries spell them), a fault plan, and a log of the queries that were run."""

    def __init__(self, tables: dict[str, Table], files: dict[str, bytes] | None = None):
        self.tables = tables
        self.files = files or {}
        self.plan: list[str] = []  # per data request: ok | error | slow | garbage | down (and stays down)
        self.queries: list[str] = []
        self.jobs: dict[str, dict] = {}
        self.slow_s = 3.0
        self.serialization = "tabledata"  # or "binary2", as big TAP results often come
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        for name, table in tables.items():
            self._load(name, table)

    def _load(self, name: str, table: Table) -> None:
        schema, bare = name.split(".") if "." in name else ("main", name)
        if schema not in {row[1] for row in self._db.execute("PRAGMA database_list")}:
            self._db.execute(f"ATTACH DATABASE ':memory:' AS {schema}")
        target = f'{schema}."{bare}"'
        quoted = ", ".join(f'"{c}"' for c in table.colnames)
        self._db.execute(f"CREATE TABLE {target} ({quoted})")
        columns = []
        for column in table.itercols():
            values = np.ma.getdata(column).tolist()
            mask = np.ma.getmaskarray(column)
            columns.append([None if m else v for v, m in zip(values, mask, strict=True)] if mask.any() else values)
        rows = list(zip(*columns, strict=True))
        self._db.executemany(f"INSERT INTO {target} VALUES ({', '.join('?' * len(table.colnames))})", rows)
        for key in set(table.colnames) & INDEXED:  # the archives index their paging and join keys
            self._db.execute(f'CREATE INDEX {schema}."{bare}_{key}" ON "{bare}" ("{key}")')

    def next_fault(self) -> str:
        with self._lock:
            if self.plan and self.plan[0] == "down":
                return "down"
            return self.plan.pop(0) if self.plan else "ok"

    def run(self, query: str) -> Table:
        """Run ADQL / SkyServer SQL by translating TOP n into LIMIT n; columns keep the source tables' types."""
        self.queries.append(query)
        match = re.match(r"\s*SELECT\s+TOP\s+(\d+)\s+(.*)$", query, flags=re.S | re.I)
        sql = f"SELECT {match.group(2)} LIMIT {match.group(1)}" if match else query
        with self._lock:
            cursor = self._db.execute(sql)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        return self._typed(names, rows)

    def _typed(self, names, rows) -> Table:
        out = Table()
        for i, name in enumerate(names):
            source = next((t[c] for t in self.tables.values() for c in t.colnames if c.lower() == name.lower()), None)
            values = [row[i] for row in rows]
            mask = [v is None for v in values]
            dtype = source.dtype if source is not None else None
            filled = [(0 if dtype is None or dtype.kind in "iuf" else "") if v is None else v for v in values]
            out[name] = MaskedColumn(np.array(filled, dtype=dtype), mask=mask)
            if source is not None and source.unit is not None:
                out[name].unit = source.unit
        return out


def votable_bytes(table: Table, serialization: str = "tabledata") -> bytes:
    votable = from_table(table)
    votable.get_first_table().format = serialization
    resource = votable.resources[0]
    resource.type = "results"
    resource.infos.append(Info(name="QUERY_STATUS", value="OK"))
    buffer = io.BytesIO()
    votable.to_xml(buffer)
    return buffer.getvalue()


class _Handler(BaseHTTPRequestHandler):
    archive: Archive

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/xml", headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        return {k.upper(): v[0] for k, v in parse_qs(body).items()}

    def _fault(self) -> bool:
        """Apply the next planned fault; True when the request has been answered by it."""
        fault = self.archive.next_fault()
        if fault in ("error", "down"):
            self._send(500, b"internal server error", "text/plain")
            return True
        if fault == "slow":
            time.sleep(self.archive.slow_s)
            return False
        if fault == "garbage":
            self._send(200, b"<html><body>Service temporarily unavailable</body></html>", "text/html")
            return True
        return False

    # --- TAP -------------------------------------------------------------------------------------------
    def do_POST(self):
        path = urlparse(self.path).path
        if path.endswith("/sync"):
            query = self._form()["QUERY"]
            if self._fault():
                return
            self._send(
                200, votable_bytes(self.archive.run(query), self.archive.serialization), "application/x-votable+xml"
            )
        elif path.endswith("/async"):
            job_id = uuid.uuid4().hex[:12]
            self.archive.jobs[job_id] = {"query": self._form()["QUERY"], "phase": "PENDING", "base": path}
            self._send(303, headers={"Location": f"{path}/{job_id}"})
        elif "/async/" in path and path.endswith("/phase"):
            job = self.archive.jobs[path.split("/")[-2]]
            if self._form().get("PHASE") == "RUN":
                job["phase"] = "COMPLETED"
            self._send(303, headers={"Location": path.rsplit("/", 1)[0]})
        else:
            self._send(404, b"not found", "text/plain")

    def do_DELETE(self):
        self.archive.jobs.pop(urlparse(self.path).path.split("/")[-1], None)
        self._send(303, headers={"Location": urlparse(self.path).path.rsplit("/", 1)[0]})

    def do_GET(self):
        url = urlparse(self.path)
        path = url.path
        if "/async/" in path and path.endswith("/results/result"):
            job = self.archive.jobs[path.split("/")[-3]]
            if self._fault():
                return
            self._send(
                200,
                votable_bytes(self.archive.run(job["query"]), self.archive.serialization),
                "application/x-votable+xml",
            )
        elif "/async/" in path:
            job_id = path.split("/")[-1]
            job = self.archive.jobs[job_id]
            done = job["phase"] == "COMPLETED"
            results = f'<uws:result id="result" xlink:href="{path}/results/result"/>' if done else ""
            query = job["query"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            body = UWS_JOB.format(job_id=job_id, phase=job["phase"], query=query, results=results, error="")
            self._send(200, body.encode())
        elif path.endswith("/SqlSearch"):
            sql = parse_qs(url.query)["cmd"][0]
            if self._fault():
                return
            table = self.archive.run(sql)
            buffer = io.StringIO()
            table.write(buffer, format="ascii.csv")
            self._send(200, ("#Table1\n" + buffer.getvalue()).encode(), "text/plain")
        elif path in self.archive.files:
            if self._fault():
                return
            self._send(200, self.archive.files[path], "application/fits")
        else:
            self._send(404, b"not found", "text/plain")


class _QuietServer(ThreadingHTTPServer):
    """Joins its handler threads on close, so none outlives its test, and stays silent when a client has hung
    up (a timed-out client leaves a "slow" handler writing to a closed socket): a traceback printed from a
    leftover thread would land in whichever test captures stderr next."""

    daemon_threads = False
    block_on_close = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeServer:
    """``with FakeServer(archive) as server: server.url`` -> 'http://127.0.0.1:PORT'."""

    def __init__(self, archive: Archive, port: int = 0):
        handler = type("Handler", (_Handler,), {"archive": archive})
        self.archive = archive
        self._server = _QuietServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()


class _TrickleHandler(BaseHTTPRequestHandler):
    """Answers anything with its headers at once, then one byte every ``gap_s`` for ``total_s``: each wait for a
    byte is short, so only a deadline on the whole reply stops the client."""

    protocol_version = "HTTP/1.1"  # for chunked replies
    gap_s = 0.05
    total_s = 5.0
    chunked = False

    def log_message(self, *args):
        pass

    def _trickle(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if self.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(int(self.total_s / self.gap_s)))
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(int(self.total_s / self.gap_s)):
            self.wfile.write(b"1\r\nx\r\n" if self.chunked else b"x")
            self.wfile.flush()
            time.sleep(self.gap_s)
        if self.chunked:
            self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = _trickle


class TrickleServer(FakeServer):
    """``with TrickleServer(chunked=False) as server: server.url``: a server that never stops sending, slowly."""

    def __init__(self, chunked: bool = False):
        handler = type("Handler", (_TrickleHandler,), {"chunked": chunked})
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
