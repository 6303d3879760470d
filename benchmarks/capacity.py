"""The capacity of this machine: the highest ``steady`` load through the gateway that holds, next to the same load
sent straight to the order service, and which process saturates first.

    .venv/bin/python -m benchmarks.capacity [--steps 5,10,20,40 | --start 5 --max-users 40] [--duration 25]
                                            [--workers 2] [--json]

Starts an isolated local platform on free ports (the same code as ``make up``). At each step (users doubling from
``--start`` up to ``--max-users``, or ``--steps``) it runs the ``steady`` profile, played in ``--duration`` seconds of
load, twice with ``python -m local.load``'s code (one Locust master, ``--workers`` workers, thresholds, reconciliation):
through the gateway, and with ``--target direct`` (``loadgen.direct``: sign up and log in through the gateway, then
every storefront call straight to the order service, recommendations to the recommendation API). The two alternate
which goes first, so that drift on the machine hits both alike. A step holds when the run passed (every p95 under its
threshold, ``LOAD_P95_MS`` as for ``make load``, and nothing lost or doubled) with no failed request at all; a path
stops at its first step that does not hold, the run when both have stopped.

While each run's load lasts, CPU per process is sampled with psutil every ``--interval`` s: the platform's processes
from their PID files (``local.pidfiles``) and the Locust processes. 100 % is one core; a Python process is bound by
its GIL to about one, so one at 85 % or more of a core (Prometheus, in Go: of every core), or the machine at 90 %,
is saturated. ``other`` is what processes not ours used meanwhile (the machine's CPU minus ours): when it is high
the figures are low. Failed requests are named from Locust's ``stats_failures.csv``. Figures for this machine, not a
test: nothing is asserted. Stays under 6 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psutil

from local import load, pidfiles
from local.platform import Platform
from local.processes import isolated_settings
from local.settings import LocalSettings

PROFILE = "steady"
WARM_UP = "probe"
TARGETS = ("gateway", "direct")
# PID file name -> what the table calls it
PROCESSES = {
    "aws": "emulator",
    "login": "gateway",
    "order": "order",
    "reco": "reco",
    "indexer": "indexer",
    "prometheus": "prometheus",
}
LOCUST = "locust"  # the master and its workers, summed in the table; each judged on its own
MULTI_CORE = frozenset({"prometheus"})  # may use every core; the others are Python processes bound to about one
SATURATED_SHARE = 0.85  # of what a process can use
MACHINE_SATURATED = 90.0  # % of all cores
# CPU counts from the workers' start for the seconds of load and this much more (the workers connect, the master
# starts the shape), not over the drain, the settle and the reconciliation around it.
LOCUST_START_S = 2.0
OTHER_CPU_WARNING = 25.0  # % of one core used by processes not ours: the machine was not ours alone
# (label in the table, endpoint with its /api prefix dropped: the gateway's and the order service's paths alike)
MAIN_ENDPOINTS = (
    ("menu", "GET /menu"),
    ("reco", "GET /recommendations"),
    ("order", "POST /orders"),
    ("list", "GET /orders"),
    ("login", "POST /auth/login"),
)


# --- the step schedule -----------------------------------------------------------------------------------------


def step_schedule(start: int, max_users: int, factor: float = 2.0) -> tuple[int, ...]:
    """Users per step: ``start``, multiplied by ``factor`` while it stays at most ``max_users``."""
    if start < 1 or max_users < start or factor <= 1:
        raise ValueError("need 1 <= start <= max-users and a factor above 1")
    steps = [start]
    while (following := max(steps[-1] + 1, round(steps[-1] * factor))) <= max_users:
        steps.append(following)
    return tuple(steps)


def parse_steps(text: str) -> tuple[int, ...]:
    """``"5,10,20"``: ascending, distinct, positive user counts."""
    try:
        steps = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise ValueError(f"--steps: {text!r} is not a comma-separated list of user counts") from None
    if not steps or steps[0] < 1:
        raise ValueError("--steps needs at least one user count, each at least 1")
    return tuple(steps)


# --- CPU per process -------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CpuFigure:
    """A process's CPU during one run, in % of one core: the mean of its samples and the highest."""

    mean: float
    peak: float


Sample = Mapping[str, float]  # process name -> % of one core since the previous sample


def aggregate(samples: Iterable[Sample]) -> dict[str, CpuFigure]:
    """Mean and peak per process over the samples it appears in (a Locust process appears once it has started)."""
    seen: dict[str, list[float]] = {}
    for sample in samples:
        for name, percent in sample.items():
            seen.setdefault(name, []).append(percent)
    return {
        name: CpuFigure(mean=round(sum(values) / len(values), 1), peak=round(max(values), 1))
        for name, values in sorted(seen.items())
    }


def in_window(times: Sequence[float], start: float | None, seconds: float) -> list[int]:
    """Indexes of the samples taken in the ``seconds`` after ``start`` (all of them when the start is unknown)."""
    if start is None:
        return list(range(len(times)))
    return [index for index, at in enumerate(times) if start < at <= start + seconds]


def grouped(cpu: Mapping[str, CpuFigure]) -> dict[str, float]:
    """Mean CPU per table column: each platform process, and every Locust process summed as ``locust``."""
    columns = {name: figure.mean for name, figure in cpu.items() if not name.startswith(LOCUST)}
    columns[LOCUST] = round(sum(figure.mean for name, figure in cpu.items() if name.startswith(LOCUST)), 1)
    return columns


class CpuSampler:
    """In a thread, every ``interval`` s: CPU of the platform's processes (PID files) and of our Locust children."""

    def __init__(self, settings: LocalSettings, *, interval: float = 1.0) -> None:
        self._interval = interval
        self._platform: dict[str, psutil.Process] = {}
        for pid_name, name in PROCESSES.items():
            record = pidfiles.read_live(pidfiles.pid_path(settings.run_dir, pid_name))
            if record is not None:
                self._platform[name] = psutil.Process(record.pid)
        self._locust: dict[int, tuple[str, psutil.Process]] = {}
        self._others: set[int] = set()  # our children that are not Locust (the platform's processes)
        self.samples: list[dict[str, float]] = []
        self.machine: list[float] = []
        self.times: list[float] = []  # time.monotonic() of each sample
        self.load_started: float | None = None  # when the first Locust worker was seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def __enter__(self) -> CpuSampler:
        for process in self._platform.values():
            process.cpu_percent(None)  # the first call only starts the count (psutil docs, cpu_percent)
        psutil.cpu_percent(None)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            sample = {name: _percent(process) for name, process in self._platform.items()}
            for name, process in self._locust_processes():
                sample[name] = _percent(process)
            self.samples.append({name: value for name, value in sample.items() if value is not None})
            self.machine.append(psutil.cpu_percent(None))
            self.times.append(time.monotonic())

    def _locust_processes(self) -> list[tuple[str, psutil.Process]]:
        """Locust processes already known (measured since the last sample); new ones start counting now."""
        known = [entry for entry in self._locust.values() if entry[1].is_running()]
        for child in psutil.Process().children(recursive=True):
            if child.pid in self._locust or child.pid in self._others:
                continue
            try:
                command = child.cmdline()
                child.cpu_percent(None)
            except psutil.Error:
                continue
            if "locust" in command and "--locustfile" in command:
                role = "master" if "--master" in command else f"worker-{len(self._locust)}"
                if role != "master" and self.load_started is None:
                    self.load_started = time.monotonic()
                self._locust[child.pid] = (f"{LOCUST}-{role}", child)
            else:
                self._others.add(child.pid)
        return known


def _percent(process: psutil.Process) -> float | None:
    try:
        return float(process.cpu_percent(None))
    except psutil.Error:
        return None  # it ended between two samples


# --- steps and the verdict -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Step:
    users: int
    target: str
    requests: int
    failures: int
    rps: float
    p95_ms: Mapping[str, float]  # endpoint without /api -> ms
    passed: bool  # thresholds held and the orders reconciled
    problems: tuple[str, ...]
    cpu: Mapping[str, CpuFigure] = field(default_factory=dict)
    machine_cpu: float = 0.0  # mean % of all cores, whoever used them
    failure_kinds: tuple[str, ...] = ()  # the commonest failed requests, from Locust's stats_failures.csv

    def other_cpu(self, cores: int) -> float:
        """% of one core that processes other than the platform's and Locust's used meanwhile."""
        return max(0.0, round(self.machine_cpu * cores - sum(figure.mean for figure in self.cpu.values()), 1))

    @property
    def holds(self) -> bool:
        return self.passed and self.failures == 0


def endpoint_key(label: str) -> str:
    """``GET /api/orders/{id}`` and ``GET /orders/{id}`` are the same endpoint of the order service."""
    method, _, path = label.partition(" ")
    return f"{method} {path.removeprefix('/api')}"


def step_from_summary(
    *,
    users: int,
    target: str,
    summary: Mapping[str, Any],
    cpu: Mapping[str, CpuFigure],
    machine_cpu: float,
    failure_kinds: Sequence[str] = (),
) -> Step:
    return Step(
        users=users,
        target=target,
        requests=int(summary["requests"]),
        failures=int(summary["failures"]),
        rps=float(summary["rps"]),
        p95_ms={endpoint_key(label): float(ms) for label, ms in summary["p95_ms"].items()},
        passed=bool(summary["passed"]),
        problems=(*summary["violations"], *summary["reconciliation_problems"]),
        cpu=cpu,
        machine_cpu=machine_cpu,
        failure_kinds=tuple(failure_kinds),
    )


def failure_kinds(rows: Iterable[Mapping[str, str]], limit: int = 3) -> list[str]:
    """The commonest rows of Locust's stats_failures.csv (Method, Name, Error, Occurrences), in words."""
    counted = sorted(rows, key=lambda row: -int(row.get("Occurrences") or 0))
    return [f"{row['Occurrences']}x {row['Name']}: {row['Error'][:90]}" for row in counted[:limit]]


def capacity(steps: Iterable[Step], target: str) -> Step | None:
    """The highest step of ``target`` that held, every lower step having held too; None when the first did not."""
    best = None
    for step in sorted((s for s in steps if s.target == target), key=lambda s: s.users):
        if not step.holds:
            break
        best = step
    return best


@dataclass(frozen=True, kw_only=True)
class Saturation:
    target: str
    users: int | None  # the first step at which something saturated; None: nothing did
    process: str  # what saturated ("machine" for all cores), or the busiest process when nothing did
    share: float  # its mean CPU as a share of what it can use (1.0 = all of it)
    text: str
    contended: tuple[int, ...] = ()  # steps at which processes not ours used more of the machine than ours


def saturation(steps: Iterable[Step], target: str, cores: int) -> Saturation:
    """The first step of ``target`` at which a process (or the machine) ran at its limit, and which one.

    A full machine counts only when our processes used most of it; otherwise the step is ``contended`` (another
    workload took the CPU) and says nothing about the platform."""
    ordered = sorted((s for s in steps if s.target == target), key=lambda s: s.users)
    busiest: tuple[float, str, int] = (0.0, "none", 0)
    contended: list[int] = []
    for step in ordered:
        shares = {name: figure.mean / _limit(name, cores) for name, figure in step.cpu.items()}
        name, share = max(shares.items(), key=lambda item: item[1], default=("none", 0.0))
        busiest = max(busiest, (share, name, step.users))
        if share >= SATURATED_SHARE:
            limit = "every core" if name in MULTI_CORE else "one core"
            text = f"{name} at {step.users} users: {share:.0%} of {limit}"
            return Saturation(
                target=target,
                users=step.users,
                process=name,
                share=round(share, 2),
                text=text,
                contended=tuple(contended),
            )
        if step.machine_cpu >= MACHINE_SATURATED:
            other = step.other_cpu(cores)
            if other >= step.machine_cpu * cores - other:
                contended.append(step.users)
                continue
            text = (
                f"the machine at {step.users} users: {step.machine_cpu:.0f} % of {cores} cores, "
                f"{other:.0f} % of a core by processes not ours (busiest of ours {name}, {share:.0%} of its limit)"
            )
            return Saturation(
                target=target,
                users=step.users,
                process="machine",
                share=round(step.machine_cpu / 100, 2),
                text=text,
                contended=tuple(contended),
            )
    share, name, users = busiest
    top = ordered[-1].users if ordered else 0
    text = f"nothing saturated up to {top} users (busiest {name} at {users} users: {share:.0%})"
    if contended:
        text += f"; at {', '.join(map(str, contended))} users processes not ours used most of the machine"
    return Saturation(
        target=target, users=None, process=name, share=round(share, 2), text=text, contended=tuple(contended)
    )


def _limit(name: str, cores: int) -> float:
    return 100.0 * cores if name in MULTI_CORE else 100.0


# --- running ---------------------------------------------------------------------------------------------------


def run_steps(
    settings: LocalSettings, schedule: Sequence[int], *, duration_s: float, workers: int, interval: float, log: TextIO
) -> list[Step]:
    # A few seconds of customers first, measured nowhere: JWKS caches, connections and code paths are warm at step one.
    load.run(settings, profile=WARM_UP, workers=workers, log=log)
    steps: list[Step] = []
    stopped: set[str] = set()
    for index, users in enumerate(schedule):
        order = TARGETS if index % 2 == 0 else TARGETS[::-1]
        for target in (t for t in order if t not in stopped):
            step = run_step(settings, users, target, duration_s=duration_s, workers=workers, interval=interval, log=log)
            steps.append(step)
            verdict = "holds" if step.holds else "does not hold: " + "; ".join(step.problems[:3] or ("failures",))
            print(f"capacity: {users} users via {target}: {step.rps} req/s, {verdict}", file=log)
            if not step.holds:
                stopped.add(target)
        if stopped >= set(TARGETS):
            break
    return steps


def run_step(
    settings: LocalSettings, users: int, target: str, *, duration_s: float, workers: int, interval: float, log: TextIO
) -> Step:
    sampler = CpuSampler(settings, interval=interval)
    with sampler:
        try:
            summary = load.run(
                settings, profile=PROFILE, workers=workers, users=users, duration_s=duration_s, target=target, log=log
            )
        except load.LoadError as error:
            summary = _failed_run(str(error).splitlines()[0])
    chosen = in_window(sampler.times, sampler.load_started, duration_s + LOCUST_START_S)
    cpu = aggregate(sampler.samples[index] for index in chosen)
    machine_samples = [sampler.machine[index] for index in chosen]
    machine = round(sum(machine_samples) / len(machine_samples), 1) if machine_samples else 0.0
    kinds = _failures_of(settings.run_dir / "load" / "stats_failures.csv")
    return step_from_summary(
        users=users, target=target, summary=summary, cpu=cpu, machine_cpu=machine, failure_kinds=kinds
    )


def _failures_of(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return failure_kinds(csv.DictReader(handle))
    except OSError:
        return []


def _failed_run(reason: str) -> dict[str, Any]:
    return {
        "requests": 0,
        "failures": 0,
        "rps": 0.0,
        "p95_ms": {},
        "passed": False,
        "violations": [f"the run failed: {reason}"],
        "reconciliation_problems": [],
    }


def result(steps: Sequence[Step], *, cores: int, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Everything ``--json`` prints: the settings, every step, each path's capacity, the ratios and the verdict."""
    best = {target: capacity(steps, target) for target in TARGETS}
    via, direct = best["gateway"], best["direct"]
    ratio = None
    if via and direct:
        ratio = {"users": round(via.users / direct.users, 2), "rps": round(via.rps / direct.rps, 2)}
    same_load = []
    for step in (s for s in steps if s.target == "gateway"):
        twin = next((s for s in steps if s.target == "direct" and s.users == step.users), None)
        if twin and twin.rps:
            orders = step.p95_ms.get("POST /orders"), twin.p95_ms.get("POST /orders")
            same_load.append(
                {
                    "users": step.users,
                    "rps": round(step.rps / twin.rps, 2),
                    "p95_post_orders": round(orders[0] / orders[1], 2) if orders[0] and orders[1] else None,
                }
            )
    top = max((s.users for s in steps), default=0)
    return {
        "profile": PROFILE,
        "machine": {"cpus": cores},
        "settings": dict(settings),
        "steps": [_step_dict(step, cores) for step in steps],
        "capacity": {
            target: ({"users": step.users, "rps": step.rps} if step else None) for target, step in best.items()
        },
        "capacity_at_cap": {target: bool(step and step.users == top) for target, step in best.items()},
        "gateway_over_direct": ratio,
        "gateway_over_direct_same_load": same_load,
        "saturation": {target: asdict(saturation(steps, target, cores)) for target in TARGETS},
    }


def _step_dict(step: Step, cores: int) -> dict[str, Any]:
    data = asdict(step)
    data["holds"] = step.holds
    data["cpu_by_column"] = {**grouped(step.cpu), "other": step.other_cpu(cores)}
    return data


def report(data: Mapping[str, Any], out: TextIO) -> None:
    columns = [*PROCESSES.values(), LOCUST, "other"]
    print(
        f"capacity, profile {data['profile']} played in {data['settings']['duration_s']:g} s per step, "
        f"{data['settings']['workers']} Locust workers, {data['machine']['cpus']} CPUs; "
        "p95 in ms, CPU in % of one core (mean during the load)",
        file=out,
    )
    head = " ".join(f"{label:>6}" for label, _ in MAIN_ENDPOINTS)
    cpu_head = " ".join(f"{name[:8]:>8}" for name in columns)
    print(f"{'users':>5} {'path':<8} {'req/s':>6} {'fail':>5} {head} | {cpu_head} {'machine':>7}  holds", file=out)
    for step in data["steps"]:
        p95 = " ".join(f"{_ms(step['p95_ms'].get(endpoint)):>6}" for _, endpoint in MAIN_ENDPOINTS)
        cpu = " ".join(f"{step['cpu_by_column'].get(name, 0.0):>8.0f}" for name in columns)
        holds = "yes" if step["holds"] else "NO: " + "; ".join(step["problems"][:2] or ["failed requests"])
        print(
            f"{step['users']:>5} {step['target']:<8} {step['rps']:>6.1f} {step['failures']:>5} {p95} | {cpu} "
            f"{step['machine_cpu']:>6.0f}%  {holds}",
            file=out,
        )
        for kind in step["failure_kinds"]:
            print(f"{'':>15} failed: {kind}", file=out)
    print("", file=out)
    busy = max((step["cpu_by_column"]["other"] for step in data["steps"]), default=0.0)
    if busy >= OTHER_CPU_WARNING:
        print(f"note: processes not ours used up to {busy:.0f} % of a core meanwhile: the figures are low", file=out)
    for target in TARGETS:
        best = data["capacity"][target]
        cap = " (the highest step: more may hold)" if data["capacity_at_cap"][target] else ""
        found = f"{best['users']} users, {best['rps']} req/s{cap}" if best else "not even the first step held"
        print(f"highest load that holds via {target:<7}: {found}", file=out)
    if ratio := data["gateway_over_direct"]:
        print(f"gateway/direct at capacity: users {ratio['users']:.2f}x, req/s {ratio['rps']:.2f}x", file=out)
    for row in data["gateway_over_direct_same_load"]:
        orders = f", p95 POST orders {row['p95_post_orders']:.2f}x" if row["p95_post_orders"] else ""
        print(f"gateway/direct at {row['users']} users: req/s {row['rps']:.2f}x{orders}", file=out)
    for target in TARGETS:
        print(f"saturates first via {target:<7}: {data['saturation'][target]['text']}", file=out)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", help="user counts, e.g. 5,10,20,40 (instead of --start/--max-users)")
    parser.add_argument("--start", type=int, default=5, help="users at the first step")
    parser.add_argument("--max-users", type=int, default=40, help="the cap: no step above it")
    parser.add_argument("--duration", type=float, default=25.0, help="seconds of load per run")
    parser.add_argument("--workers", type=int, default=load.MIN_WORKERS, help="Locust worker processes")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between CPU samples")
    parser.add_argument("--json", action="store_true", help="print JSON (progress goes to stderr)")
    args = parser.parse_args(argv)
    try:
        schedule = parse_steps(args.steps) if args.steps else step_schedule(args.start, args.max_users)
    except ValueError as error:
        parser.error(str(error))
    if args.duration <= 0 or args.interval <= 0 or args.workers < load.MIN_WORKERS:
        parser.error(f"--duration and --interval must be positive, --workers at least {load.MIN_WORKERS}")
    cores = psutil.cpu_count() or os.cpu_count() or 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tlj-capacity-") as run_dir:
        settings = isolated_settings(Path(run_dir))
        platform = Platform(settings, out=sys.stderr)
        try:
            platform.up()
            steps = run_steps(
                settings,
                schedule,
                duration_s=args.duration,
                workers=args.workers,
                interval=args.interval,
                log=sys.stderr,
            )
        finally:
            platform.down()
    options = {"steps": list(schedule), "duration_s": args.duration, "workers": args.workers}
    data = result(steps, cores=cores, settings={**options, "elapsed_s": round(time.monotonic() - started)})
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        report(data, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
