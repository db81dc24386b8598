"""Dask clusters that are not there, not schedulers, empty, or failing on the way: one
clear line each and exit status 2, against real sockets and a real LocalCluster; a
worker lost mid-sweep loses and duplicates nothing."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import threading

import pandas as pd
import pytest

from sim import load_scenario
from sim.cli import main
from sim.runs.executor import ClusterError
from sim.studies.sweeps import sweep
from tests.files import TRACE

distributed = pytest.importorskip("distributed")

SWEEP = ["sweep", str(TRACE), "--vary", "incidents.rate=0:0.3", "--points", "3",
         "--trials", "200", "--quiet", "--scheduler-timeout", "2"]
ARGS = dict(vary={"incidents.rate": (0.0, 0.3)}, points=8, trials=3_000, seed=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _refused(capsys, address: str) -> str:
    assert main([*SWEEP, "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_not_an_address(capsys):
    assert "is not a scheduler address; expected tcp://HOST:PORT" in _refused(capsys,
                                                                             "notanaddress")


def test_nothing_listening(capsys):
    err = _refused(capsys, f"tcp://127.0.0.1:{_free_port()}")
    assert "nothing is listening" in err and "connection refused" in err


def test_a_port_that_accepts_but_never_answers(capsys):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    threading.Thread(target=lambda: held.append(server.accept()), daemon=True).start()
    try:
        err = _refused(capsys, f"tcp://127.0.0.1:{server.getsockname()[1]}")
    finally:
        server.close()
    assert "did not answer as a Dask scheduler within 2 s" in err


def test_an_http_server_is_not_a_scheduler(capsys):
    class BadRequest(http.server.BaseHTTPRequestHandler):
        def handle(self):
            self.request.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n" * 64)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BadRequest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        err = _refused(capsys, f"tcp://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert "did not answer as a Dask scheduler" in err


def test_a_scheduler_without_workers(capsys):
    with distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster:
        err = _refused(capsys, cluster.scheduler_address)
    assert "has no workers (none joined within 2 s)" in err
    assert "dask worker" in err


def test_a_worker_lost_mid_sweep_loses_and_duplicates_nothing(tmp_path):
    scenario = load_scenario(TRACE)
    local = sweep(scenario, workers=1, **ARGS)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        pids = [w.process.process.pid for w in cluster.workers.values()]
        killed = []

        def kill_one(done, total, rate):
            if not killed:
                os.kill(pids[0], signal.SIGKILL)  # the nanny starts a new worker
                killed.append(done)

        remote = sweep(scenario, scheduler=cluster.scheduler_address, progress=kill_one,
                       out=tmp_path / "s", **ARGS)
    assert killed
    pd.testing.assert_frame_equal(local.frame, remote.frame)
    assert len(list((tmp_path / "s" / "points").glob("point-*.json"))) == 8


def test_a_lost_scheduler_is_a_message_and_the_sweep_resumes(tmp_path):
    scenario = load_scenario(TRACE)
    out = tmp_path / "s"
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       dashboard_address=None)

    def lose_it(done, total, rate):
        if done == 2:
            cluster.close()

    with pytest.raises(ClusterError, match=r"lost the Dask cluster .* run the same command "
                                           r"again to resume"):
        sweep(scenario, scheduler=cluster.scheduler_address, progress=lose_it, out=out,
              **ARGS)
    resumed = sweep(scenario, workers=1, out=out, **ARGS)
    pd.testing.assert_frame_equal(resumed.frame, sweep(scenario, workers=1, **ARGS).frame)
