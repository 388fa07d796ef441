"""The PostgreSQL kill experiment behind `make fault-db` (started by scripts/fault-db.sh).

Workers create clients, each create with its own Idempotency-Key, and retry a create that was
answered 503 (or 409: the same key still in progress) with the same key and body, as a client
following the API's advice would. Meanwhile PostgreSQL is stopped abruptly and restarted. The
experiment passes when:

- axis answered every request, and only with 201, 503 (with Retry-After) or 409 while a key
  was in progress: no hang, no other 5xx;
- axis served a create again within 10 s of PostgreSQL accepting connections;
- every create acknowledged with 201 exists exactly once, no create refused with a final 4xx
  exists, and a create whose last answer was 503 exists at most once.
"""

import collections
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid

URL = os.environ["FAULT_URL"]
HOST, PORT = URL.removeprefix("http://").split(":")
WORKERS = int(os.environ.get("FAULT_WORKERS", "8"))
BEFORE = float(os.environ.get("FAULT_BEFORE_SECS", "8"))
OUTAGE = float(os.environ.get("FAULT_OUTAGE_SECS", "6"))
AFTER = float(os.environ.get("FAULT_AFTER_SECS", "12"))
REQUEST_TIMEOUT = 15.0  # a request taking longer than this counts as a hang
RUN = uuid.uuid4().hex[:8]


def call(method, path, body=None, headers=None):
    """One request on a fresh connection: (status, headers, body, seconds); status 0 = no answer."""
    conn = http.client.HTTPConnection(HOST, int(PORT), timeout=REQUEST_TIMEOUT)
    started = time.monotonic()
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), data, time.monotonic() - started
    except (OSError, http.client.HTTPException):
        return 0, {}, b"", time.monotonic() - started
    finally:
        conn.close()


def login():
    status, _, data, _ = call("POST", "/api/v1/auth/login",
                              {"email": os.environ["FAULT_EMAIL"], "password": os.environ["FAULT_PASSWORD"]})
    if status != 200:
        sys.exit(f"fault-db: login failed with {status}")
    return json.loads(data)["access_token"]


lock = threading.Lock()
statuses = collections.Counter()
missing_retry_after = 0
slowest = 0.0
outcomes = {}  # key -> last status of that create
first_201_after_restart = None
restarted_at = None
stop = threading.Event()


def worker(token):
    global missing_retry_after, slowest, first_201_after_restart
    while not stop.is_set():
        key = f"{RUN}-{uuid.uuid4()}"
        body = {"name": f"Fault {key}"}
        while True:
            status, headers, _, seconds = call("POST", "/api/v1/clients", body,
                                               {"Authorization": f"Bearer {token}", "Idempotency-Key": key})
            with lock:
                statuses[status] += 1
                slowest = max(slowest, seconds)
                outcomes[key] = status
                if status == 503 and "Retry-After" not in headers and "retry-after" not in headers:
                    missing_retry_after += 1
                if status == 201 and restarted_at is not None and first_201_after_restart is None:
                    first_201_after_restart = time.monotonic()
            if status in (503, 409, 0) and not stop.is_set():
                time.sleep(0.2)  # the Retry-After of 1 s, shortened to keep the run brief
                continue
            break


def main():
    global restarted_at
    token = login()
    threads = [threading.Thread(target=worker, args=(token,)) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    time.sleep(BEFORE)
    subprocess.run(os.environ["FAULT_KILL"], shell=True, check=True, capture_output=True)
    killed_at = time.monotonic()
    time.sleep(OUTAGE)
    subprocess.run(os.environ["FAULT_START"], shell=True, check=True, capture_output=True)
    restarted_at = time.monotonic()
    time.sleep(AFTER)
    stop.set()
    for thread in threads:
        thread.join()

    # What the database holds, per key, against what axis answered.
    names = subprocess.run(
        ["psql", os.environ["FAULT_DATABASE_URL"], "-tA", "-c",
         f"SELECT name FROM clients WHERE name LIKE 'Fault {RUN}-%'"],
        check=True, capture_output=True, text=True).stdout.split("\n")
    stored = collections.Counter(name.removeprefix("Fault ") for name in names if name)
    acknowledged = [k for k, s in outcomes.items() if s == 201]
    refused = [k for k, s in outcomes.items() if 400 <= s < 500 and s != 409]
    unresolved = [k for k, s in outcomes.items() if s not in (201,) and not (400 <= s < 500 and s != 409)]
    ack_once = sum(1 for k in acknowledged if stored[k] == 1)
    refused_found = sum(1 for k in refused if stored[k] > 0)
    unresolved_twice = sum(1 for k in unresolved if stored[k] > 1)
    duplicates = sum(1 for k in stored if stored[k] > 1)
    other = sum(n for s, n in statuses.items() if s not in (201, 503, 409))
    recovery = None if first_201_after_restart is None else first_201_after_restart - restarted_at

    print(f"fault-db: {WORKERS} workers, PostgreSQL killed after {BEFORE:.0f} s, down for "
          f"{restarted_at - killed_at:.1f} s, load for {AFTER:.0f} s after the restart")
    print(f"  requests sent:            {sum(statuses.values())}")
    print(f"  201 created:              {statuses[201]}")
    print(f"  503 unavailable:          {statuses[503]} (without Retry-After: {missing_retry_after})")
    print(f"  409 key in progress:      {statuses[409]}")
    print(f"  other statuses:           {other} {dict((s, n) for s, n in statuses.items() if s not in (201, 503, 409))}")
    print(f"  slowest answer:           {slowest:.2f} s")
    print(f"  recovery after restart:   {'none' if recovery is None else f'{recovery:.2f} s'} (first 201)")
    print(f"  acknowledged creates:     {len(acknowledged)}, found exactly once: {ack_once}")
    print(f"  refused creates found:    {refused_found} (of {len(refused)})")
    print(f"  last answer 503, found:   {sum(1 for k in unresolved if stored[k] == 1)} once, "
          f"{unresolved_twice} more than once (of {len(unresolved)})")
    print(f"  clients stored twice:     {duplicates}")

    failures = []
    if other:
        failures.append("answers other than 201/503/409")
    if missing_retry_after:
        failures.append("503 without Retry-After")
    if slowest >= REQUEST_TIMEOUT:
        failures.append("a request hung")
    if recovery is None or recovery > 10:
        failures.append("no recovery within 10 s")
    if ack_once != len(acknowledged) or refused_found or unresolved_twice or duplicates:
        failures.append("the database disagrees with the answers")
    if statuses[503] == 0:
        failures.append("the outage was not observed (no 503)")
    if failures:
        print("fault-db: FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("fault-db: passed")


if __name__ == "__main__":
    main()
