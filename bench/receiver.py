"""A webhook receiver for `make bench`: answers every POST with 204 at once and writes, per
delivery, its webhook-id and how long after the event was written it arrived (ms).

    python3 bench/receiver.py PORT LOGFILE
"""
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import json

port, log_path = int(sys.argv[1]), sys.argv[2]
log = open(log_path, "a", buffering=1)


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        arrived = datetime.now(timezone.utc)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
        try:
            written = datetime.fromisoformat(json.loads(body)["created_at"].replace("Z", "+00:00"))
            latency = (arrived - written).total_seconds() * 1000
        except (ValueError, KeyError):
            latency = -1
        log.write(f"{self.headers.get('webhook-id')} {latency:.2f} {arrived.timestamp():.3f}\n")

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
