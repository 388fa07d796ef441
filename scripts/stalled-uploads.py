"""The stalled-upload experiment behind `make stalled-uploads` (started by scripts/stalled-uploads.sh).

STALL_UPLOADS connections each start an eligibility-file upload that never completes: half of
them send the whole declared Content-Length but a multipart body without its closing boundary,
the other half stop sending half-way and keep the connection open. Meanwhile other requests are
timed. Passes when:

- every other request answered 200 while the uploads were held open, at a median no slower than
  the larger of 3 x the baseline's median and 10 ms, and none slower than 1 s (the uploads' own
  work — each creates its import and reads its rows — shares the two cores, so single requests
  may wait a moment; a held connection must not make them wait for its deadline);
- every upload was answered within the server's body deadlines (plus 3 s) and its connection
  then closed: a body without its closing boundary 422 unreadable_file, a stalled one 408
  request_timeout;
- every import those uploads started ended `failed` (none left `receiving`);
- the connections the server holds on its port returned to their baseline count within 10 s
  (none left in CLOSE-WAIT or established).
"""

import json
import os
import socket
import subprocess
import sys
import time
import http.client

URL = os.environ["STALL_URL"]
HOST, PORT = URL.removeprefix("http://").split(":")
PORT = int(PORT)
UPLOADS = int(os.environ.get("STALL_UPLOADS", "40"))
IDLE = float(os.environ["STALL_IDLE_SECS"])
TOTAL = float(os.environ["STALL_TOTAL_SECS"])
problems = []


def call(method, path, token=None, body=None):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.monotonic()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data, time.monotonic() - started


def open_sockets():
    """Connections to the server's port that the server still holds (any state but LISTEN and
    TIME-WAIT, which the kernel keeps after a close): its database pool is not counted."""
    out = subprocess.run(["ss", "-tanH", f"( sport = :{PORT} )"], capture_output=True, text=True, check=True)
    states = [line.split()[0] for line in out.stdout.splitlines() if line.strip()]
    return sum(1 for state in states if state not in ("LISTEN", "TIME-WAIT"))


def median(values):
    return sorted(values)[len(values) // 2]


def timed_reads(token, n):
    times = []
    for _ in range(n):
        status, data, seconds = call("GET", "/api/v1/clients?limit=5", token)
        if status != 200:
            problems.append(f"a list answered {status} while uploads were stalled: {data[:200]!r}")
        times.append(seconds)
    return times


def stalled_upload(token, client, whole_length):
    """Starts an upload that never completes; returns its socket."""
    boundary = "stallboundary"
    csv = "employee_number,first_name,last_name,employment_start\n" + "".join(
        f"S-{i},Stalled,Person{i},2025-01-01\n" for i in range(200))
    start = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"staff.csv\"\r\n"
             f"Content-Type: text/csv\r\n\r\n{csv}").encode()
    # The closing boundary is never sent. A "whole" upload declares exactly what it sends (the
    # body ends without its boundary); the other declares more and stops.
    length = len(start) if whole_length else len(start) + 100_000
    head = (f"POST /api/v1/clients/{client}/staff-imports?dry_run=true HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()
    sock = socket.create_connection((HOST, PORT), timeout=TOTAL + IDLE + 10)
    sock.sendall(head + start)
    return sock


def main():
    status, data, _ = call("POST", "/api/v1/auth/login", body={"email": os.environ["STALL_EMAIL"],
                                                              "password": os.environ["STALL_PASSWORD"]})
    if status != 200:
        sys.exit(f"stalled-uploads: login failed with {status}")
    token = json.loads(data)["access_token"]
    status, data, _ = call("POST", "/api/v1/clients", token, {"name": f"Stall {time.time_ns()}"})
    if status != 201:
        sys.exit(f"stalled-uploads: client create answered {status}")
    client = json.loads(data)["id"]

    baseline_sockets = open_sockets()
    baseline = timed_reads(token, 30)
    median_limit = max(3 * median(baseline), 0.010)
    print(f"baseline: {baseline_sockets} connections held; list median {median(baseline) * 1000:.1f} ms, "
          f"slowest {max(baseline) * 1000:.1f} ms (limits while stalled: median {median_limit * 1000:.0f} ms, "
          f"slowest 1000 ms)")

    started = time.monotonic()
    sockets = [stalled_upload(token, client, whole_length=(i % 2 == 0)) for i in range(UPLOADS)]
    during = timed_reads(token, 60)
    print(f"{UPLOADS} uploads held open; meanwhile {len(during)} lists, median {median(during) * 1000:.1f} ms, "
          f"slowest {max(during) * 1000:.1f} ms")
    if median(during) > median_limit:
        problems.append(f"lists took {median(during) * 1000:.1f} ms at the median while uploads were held open")
    if max(during) > 1.0:
        problems.append(f"a list took {max(during):.1f} s while uploads were held open")

    answered = 0
    latest = 0.0
    for i, sock in enumerate(sockets):
        expected = " 422 " if i % 2 == 0 else " 408 "
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                part = sock.recv(4096)
                if not part:
                    break
                data += part
            status_line = data.split(b"\r\n", 1)[0].decode(errors="replace")
            if expected in status_line + " ":
                answered += 1
            else:
                problems.append(f"an upload expecting{expected}got {status_line!r}")
            latest = max(latest, time.monotonic() - started)
            # After a 408 the server closes the connection (the rest of the body may still come);
            # after a 422 the body was whole and the connection may be kept for the next request.
            if expected == " 408 ":
                sock.settimeout(5)
                while sock.recv(4096):
                    pass
        except socket.timeout:
            problems.append("a stalled upload was never answered, or its connection stayed open")
        finally:
            sock.close()
    print(f"{answered} of {UPLOADS} uploads answered as expected (422 incomplete form / 408 stalled), "
          f"the last {latest:.1f} s after they began "
          f"(deadlines: {IDLE:.0f} s idle, {TOTAL:.0f} s in all)")
    if latest > TOTAL + 3:
        problems.append(f"the last stalled upload was answered after {latest:.1f} s")

    status, data, _ = call("GET", f"/api/v1/clients/{client}/staff-imports?limit=100", token)
    imports = json.loads(data)["data"] if status == 200 else []
    statuses = {}
    for item in imports:
        statuses[item["status"]] = statuses.get(item["status"], 0) + 1
    print(f"imports of the client: {statuses}")
    if statuses.get("failed", 0) != UPLOADS or len(imports) != UPLOADS:
        problems.append(f"expected {UPLOADS} failed imports, found {statuses}")

    deadline = time.monotonic() + 10
    while open_sockets() > baseline_sockets and time.monotonic() < deadline:
        time.sleep(0.2)
    now = open_sockets()
    print(f"server sockets: baseline {baseline_sockets}, after {now}")
    if now > baseline_sockets:
        problems.append(f"the server holds {now - baseline_sockets} sockets more than at baseline")

    if problems:
        for problem in problems:
            print("FAIL:", problem)
        sys.exit(1)
    print("stalled-uploads: passed")


main()
