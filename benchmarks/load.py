"""Sustained load on a real server: the member journey's endpoints and the assistant.

Prepares a data directory like ``make run`` (demo data and the knowledge index), starts
`territoires serve` on loopback, then runs `--users` concurrent virtual members for
`--duration` seconds. Each one loops over: read the model, reload its assessment, save a
draft, score it, read its peer benchmark, and every fourth loop asks the assistant. Prints
throughput, p50/p99 latency per endpoint, errors (target: none) and the server's memory
growth. Run: ``.venv/bin/python benchmarks/load.py [--duration 60] [--users 8]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.live import DEMO_ADMIN, Server, environment  # noqa: E402

QUESTIONS = [
    "Comment Angers utilise-t-elle un jumeau numérique ?",
    "Qu'est-ce que la co-évaluation d'une politique publique ?",
    "Pourquoi travailler les usages avant de déployer ?",
]


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def member(
    client: httpx.AsyncClient,
    assessment: str,
    code: str,
    questions: list[str],
    deadline: float,
    seed: int,
    timings: dict[str, list[float]],
    errors: dict[str, int],
) -> None:
    """One virtual member looping over the journey until `deadline`."""
    rng = random.Random(seed)
    loop = 0
    while time.monotonic() < deadline:
        loop += 1
        answers = {q: rng.randint(0, 4) for q in rng.sample(questions, 10)}
        steps: list[tuple[str, str, str, object]] = [
            ("model", "GET", "/api/v1/model", None),
            ("reload", "GET", f"/api/v1/assessments/{assessment}", None),
            ("save", "PUT", f"/api/v1/assessments/{assessment}/answers", {"answers": answers}),
            ("score", "GET", f"/api/v1/assessments/{assessment}/score", None),
            ("benchmark", "GET", f"/api/v1/territories/{code}/benchmark", None),
        ]
        if loop % 4 == 0:
            question = rng.choice(QUESTIONS)
            steps.append(("assistant", "POST", "/api/v1/assistant/ask", {"question": question}))
        for name, method, path, body in steps:
            start = time.perf_counter()
            try:
                response = await client.request(method, path, json=body)
                ok = response.status_code < 400
            except httpx.HTTPError:
                ok = False
            timings[name].append(time.perf_counter() - start)
            if not ok:
                errors[name] += 1


async def run(server: Server, users: int, duration: float) -> None:
    admin = server.api_key(*DEMO_ADMIN)
    _, model = server.request("GET", "/api/v1/model")
    questions = [q["id"] for d in model["dimensions"] for q in d["questions"]]
    rng = random.Random(2026)
    targets: list[tuple[str, str]] = []
    while len(targets) < users:
        code = f"{rng.randint(1, 95):02d}{rng.randint(1, 400):03d}"
        status, body = server.request(
            "POST", "/api/v1/assessments", {"territory_code": code}, admin
        )
        if status == 201:
            targets.append((body["id"], code))
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    assert server.process is not None
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(
        base_url=server.url, headers=admin, timeout=30, limits=limits
    ) as client:
        warm = time.monotonic() + 5  # caches and the embedding model warm up first
        await asyncio.gather(
            *(
                member(client, a, c, questions, warm, i, defaultdict(list), defaultdict(int))
                for i, (a, c) in enumerate(targets)
            )
        )
        before = rss_kib(server.process.pid)
        start = time.monotonic()
        await asyncio.gather(
            *(
                member(client, a, c, questions, start + duration, i, timings, errors)
                for i, (a, c) in enumerate(targets)
            )
        )
        elapsed = time.monotonic() - start
        after = rss_kib(server.process.pid)
    total = sum(len(t) for t in timings.values())
    print(
        f"{users} virtual members for {elapsed:.0f} s: {total} requests, "
        f"{total / elapsed:.1f} req/s, {sum(errors.values())} errors"
    )
    print(f"{'endpoint':<10} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for name, values in timings.items():
        cuts = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        print(
            f"{name:<10} {len(values):>8} {errors[name]:>6} "
            f"{1000 * statistics.median(values):>8.1f} {1000 * cuts[98]:>8.1f}"
        )
    print(
        f"server memory: {before / 1024:.1f} MiB after warm-up, {after / 1024:.1f} MiB at the "
        f"end ({(after - before) / 1024:+.1f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--users", type=int, default=8)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="tc-load-"))
    env = environment(directory, TERRITOIRES_ASSISTANT_RATE_LIMIT="0")
    import subprocess

    from tests.integration.live import TERRITOIRES

    subprocess.run([str(TERRITOIRES), "prepare"], env=env, check=True, capture_output=True)
    server = Server(env, directory / "serve.log").start()
    try:
        asyncio.run(run(server, args.users, args.duration))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
