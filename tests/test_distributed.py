"""The Dask executor: a LocalCluster of 2 worker processes gives the serial values bit for bit.

One cluster serves the whole module (starting one costs seconds). The oracle is the serial
executor running the same task in this process, and for the numpy MLP also the objective's
own one-point loss.
"""

import os
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

from losslab.adapters.dask import DaskExecutor, open_executor
from losslab.errors import LosslabError
from losslab.landscape.executor import SerialExecutor, row_blocks
from tests import distributed_tasks
from tests.distributed_tasks import MLPPlaneTask, TorchPlaneTask, plane_coords

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def executor():
    with DaskExecutor.local(workers=2) as ex:
        yield ex


def grid(executor, task, rows, rows_per_block=1):
    values = np.full((rows, task.steps), np.nan)
    for block, part in executor.map_blocks(task, row_blocks(rows, rows_per_block)):
        assert part.shape == (block.rows, task.steps)
        values[block.start : block.stop] = part
    return values


def test_numpy_mlp_plane_equals_serial_bit_for_bit(executor):
    task = MLPPlaneTask(steps=9)
    serial = grid(SerialExecutor(), task, 9, 2)
    distributed = grid(executor, MLPPlaneTask(steps=9), 9, 2)
    np.testing.assert_array_equal(distributed, serial)
    # An oracle outside the seam: the objective's own loss at each point.
    runner = task.prepare()
    coords = plane_coords(runner.a, runner.c, 0, 9)
    points = (
        runner.origin + coords[:, :1] * runner.directions[0] + coords[:, 1:] * runner.directions[1]
    )
    loop = np.array([runner.objective.loss(p) for p in points]).reshape(9, 9)
    np.testing.assert_allclose(serial, loop, rtol=1e-12)


def test_torch_mlp_plane_equals_serial_bit_for_bit(executor):
    serial = grid(SerialExecutor(), TorchPlaneTask(steps=7), 7, 3)
    distributed = grid(executor, TorchPlaneTask(steps=7), 7, 3)
    assert np.isfinite(serial).all()
    np.testing.assert_array_equal(distributed, serial)


def test_each_worker_builds_the_task_once(executor):
    before = executor.client.run(distributed_tasks.builds)
    grid(executor, MLPPlaneTask(seed=3, steps=8), 8, 1)  # 8 blocks on 2 workers
    after = executor.client.run(distributed_tasks.builds)
    assert set(after) == set(before)
    assert sum(after[w] - before[w] for w in after) <= 2
    assert all(after[w] - before[w] <= 1 for w in after)


def test_a_worker_killed_mid_scan_changes_nothing(executor):
    task = MLPPlaneTask(seed=5, steps=12, delay=0.1)
    serial = grid(SerialExecutor(), task, 12, 1)
    values = np.full((12, 12), np.nan)
    killed = []
    blocks = row_blocks(12, 1)
    for block, part in executor.map_blocks(MLPPlaneTask(seed=5, steps=12, delay=0.1), blocks):
        values[block.start : block.stop] = part
        if not killed:  # the first block is back: kill a worker that is busy
            busy = [w for w, keys in executor.client.processing().items() if keys]
            killed = busy[:1]
            pids = executor.client.run(distributed_tasks.pid, workers=killed)
            executor.client.run(distributed_tasks.exit_soon, workers=killed)
    assert killed
    np.testing.assert_array_equal(values, serial)
    # The nanny started a new process in place of the killed one.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(executor.client.scheduler_info()["workers"]) < 2:
        time.sleep(0.2)
    assert pids[killed[0]] not in executor.client.run(distributed_tasks.pid).values()


def test_a_scheduler_that_cannot_be_reached_is_one_sentence_within_10_s():
    start = time.monotonic()
    with pytest.raises(LosslabError) as info:
        DaskExecutor.connect("tcp://127.0.0.1:9", timeout=3)
    assert time.monotonic() - start < 10
    assert "tcp://127.0.0.1:9" in str(info.value) and "\n" not in str(info.value)
    assert "dask scheduler" in str(info.value)
    assert "スケジューラ" in info.value.localized("ja")


def test_workers_must_be_a_positive_count():
    with pytest.raises(LosslabError, match="number of workers 0"):
        DaskExecutor.local(workers=0)


def test_the_light_install_does_not_import_dask():
    code = (
        "import sys, losslab, losslab.landscape, losslab.landscape.executor, losslab.adapters; "
        "from losslab.adapters.dask import open_executor; open_executor().__enter__(); "
        "print([m for m in ('dask', 'distributed') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_an_error_raised_on_a_worker_reaches_the_client_as_the_same_sentence(executor):
    with pytest.raises(LosslabError) as info:
        list(executor.map_blocks(distributed_tasks.FailingTask(), row_blocks(3, 1)))
    assert info.value.key == "error.grid_empty" and info.value.params == {"spec": "1:0:1"}
    assert "'1:0:1' が空です" in info.value.localized("ja")


def test_connect_uses_a_running_cluster_and_close_leaves_it_running(executor):
    address = executor.client.scheduler.address
    serial = grid(SerialExecutor(), MLPPlaneTask(seed=7, steps=5), 5, 2)
    with DaskExecutor.connect(address) as remote:
        assert remote.cluster is None and remote.workers == 2
        np.testing.assert_array_equal(grid(remote, MLPPlaneTask(seed=7, steps=5), 5, 2), serial)
    assert len(executor.client.scheduler_info()["workers"]) == 2  # still there


def test_a_caller_that_stops_early_cancels_the_rest(executor):
    # 40 blocks of 0.5 s on 2 workers would take 10 s; the scheduler forgets them at once.
    scan = executor.map_blocks(MLPPlaneTask(seed=9, steps=40, delay=0.5), row_blocks(40, 1))
    next(scan)
    assert executor.client.run_on_scheduler(distributed_tasks.scheduler_tasks) > 30
    scan.close()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and executor.client.run_on_scheduler(
        distributed_tasks.scheduler_tasks
    ):
        time.sleep(0.1)
    assert executor.client.run_on_scheduler(distributed_tasks.scheduler_tasks) == 0


def test_a_server_that_is_not_a_scheduler_is_one_sentence():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer_nonsense():
        conn, _ = server.accept()
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 8)
        time.sleep(2)
        conn.close()

    threading.Thread(target=answer_nonsense, daemon=True).start()
    start = time.monotonic()
    with pytest.raises(LosslabError, match="not a Dask scheduler") as info:
        DaskExecutor.connect(f"tcp://127.0.0.1:{port}", timeout=3)
    assert time.monotonic() - start < 10
    assert info.value.key == "distributed.not_scheduler"
    server.close()


def test_a_block_that_kills_every_worker_is_one_sentence(executor):
    with pytest.raises(LosslabError, match="stopped its worker 4 times") as info:
        list(executor.map_blocks(distributed_tasks.WorkerKillingTask(), row_blocks(3, 1)))
    assert info.value.key == "distributed.killed"
    executor.client.wait_for_workers(2, timeout=30)


def test_both_workers_killed_in_turn_still_give_the_serial_values(executor):
    # Scattered data would be lost for good here; the task, a computed future, is made again.
    executor.client.wait_for_workers(2, timeout=30)
    serial = grid(SerialExecutor(), MLPPlaneTask(seed=6, steps=12, delay=0.1), 12, 1)
    values = np.full((12, 12), np.nan)
    first = list(executor.client.scheduler_info()["workers"])
    killed = []
    for k, (block, part) in enumerate(
        executor.map_blocks(MLPPlaneTask(seed=6, steps=12, delay=0.1), row_blocks(12, 1))
    ):
        values[block.start : block.stop] = part
        if k in (0, 4) and len(killed) < 2:
            alive = [w for w in executor.client.scheduler_info()["workers"] if w in first]
            target = [w for w in alive if w not in killed][:1]
            executor.client.run(distributed_tasks.exit_soon, workers=target)
            killed += target
    assert len(killed) == 2
    np.testing.assert_array_equal(values, serial)


def test_open_executor_gives_what_the_cli_flags_ask_for(executor):
    with open_executor() as serial:
        assert isinstance(serial, SerialExecutor)
    with open_executor(scheduler=executor.client.scheduler.address) as remote:
        assert isinstance(remote, DaskExecutor) and remote.cluster is None
    with pytest.raises(LosslabError, match="cannot be used together"):
        open_executor(workers=2, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(LosslabError, match="number of workers -1"):
        open_executor(workers=-1)


def test_local_workers_keep_glibcs_dynamic_malloc_thresholds(executor):
    # Dask's MALLOC_TRIM_THRESHOLD_ made every grid point 1.3-1.6x slower (see local()).
    found = executor.client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert set(found.values()) == {os.environ.get("MALLOC_TRIM_THRESHOLD_")}
    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") is None  # nor was this process changed
    profiling = executor.client.run(distributed_tasks.config, "distributed.worker.profile.enabled")
    assert set(profiling.values()) == {False}


# --- whole scans through the engine: losslab.landscape.scan_plane(..., executor=) ------------
TASKS_FILE = distributed_tasks.__file__


def torch_spec():
    from losslab.adapters.torch_spec import TorchSpec

    return TorchSpec(f"{TASKS_FILE}:torch_mlp", f"{TASKS_FILE}:torch_data")


class KillsAWorker:
    """Passes the blocks of a Dask executor on, and kills a busy worker after the first one."""

    def __init__(self, inner):
        self.inner, self.killed = inner, []

    def map_blocks(self, task, blocks):
        for block, values in self.inner.map_blocks(task, blocks):
            if not self.killed:
                client = self.inner.client
                busy = [w for w, keys in client.processing().items() if keys]
                self.killed = busy[:1]
                client.run(distributed_tasks.exit_soon, workers=self.killed)
            yield block, values


class StopsAfter:
    """Passes on ``k`` blocks, then raises as a Ctrl-C would; counts the blocks it was given."""

    def __init__(self, inner, k=None):
        self.inner, self.k, self.asked = inner, k, 0

    def map_blocks(self, task, blocks):
        self.asked += len(blocks)
        for n, item in enumerate(self.inner.map_blocks(task, blocks)):
            if n == self.k:
                raise KeyboardInterrupt
            yield item


def test_scan_plane_on_two_workers_equals_serial_for_a_numpy_mlp(executor):
    from losslab.landscape import scan_plane

    spec = distributed_tasks.MLPSpec(seed=11)
    axes, origin, directions = spec.plane(9)
    serial = scan_plane(spec, axes, origin, directions)
    spread = scan_plane(spec, axes, origin, directions, executor=executor, block_rows=2)
    np.testing.assert_array_equal(spread.values, serial.values)
    # The oracle outside the engine: the objective's own loss, one point at a time.
    objective = spec.build()
    A, C = np.meshgrid(*axes)
    loop = [objective.loss(origin + a * directions[0] + c * directions[1])
            for a, c in zip(A.ravel(), C.ravel(), strict=True)]  # fmt: skip
    np.testing.assert_allclose(serial.values.ravel(), loop, rtol=1e-12)


def test_scan_plane_on_two_workers_equals_serial_for_a_torch_spec(executor):
    from torch import nn

    from losslab import torch as ltorch

    spec = torch_spec()
    serial = ltorch.scan_plane(None, problem=spec, points=7)
    spread = ltorch.scan_plane(None, problem=spec, points=7, executor=executor, block_rows=1)
    np.testing.assert_array_equal(spread.values, serial.values)
    # The oracle: the torch model itself at the plane's centre (float32, as the spec asks).
    model, (x, y) = distributed_tasks.torch_mlp(), distributed_tasks.torch_data()
    with torch.no_grad():
        centre = float(nn.CrossEntropyLoss()(model(x), y))
    assert serial.values[3, 3] == pytest.approx(centre, rel=1e-6)


def test_a_worker_killed_during_scan_plane_changes_nothing(executor):
    from losslab.landscape import scan_plane

    executor.client.wait_for_workers(2, timeout=30)
    spec = distributed_tasks.MLPSpec(seed=12, delay=0.1)
    axes, origin, directions = spec.plane(12)
    serial = scan_plane(distributed_tasks.MLPSpec(seed=12), axes, origin, directions)
    killer = KillsAWorker(executor)
    spread = scan_plane(spec, axes, origin, directions, executor=killer, block_rows=1)
    assert killer.killed
    np.testing.assert_array_equal(spread.values, serial.values)
    executor.client.wait_for_workers(2, timeout=30)


def test_an_interrupted_distributed_scan_resumes_to_the_same_values(executor, tmp_path):
    from losslab.landscape import scan_plane

    spec = distributed_tasks.MLPSpec(seed=13)
    axes, origin, directions = spec.plane(10)
    serial = scan_plane(spec, axes, origin, directions)
    resume = tmp_path / "scan.npz"
    first = StopsAfter(executor, k=4)
    with pytest.raises(KeyboardInterrupt):
        scan_plane(spec, axes, origin, directions, executor=first, block_rows=1, resume=resume)
    with np.load(resume) as saved:
        assert saved["done"].sum() == 4  # each finished block was written as it came
    second = StopsAfter(executor)
    again = scan_plane(spec, axes, origin, directions, executor=second, block_rows=1,
                       resume=resume)  # fmt: skip
    assert (first.asked, second.asked) == (10, 6)  # only the missing blocks ran again
    np.testing.assert_array_equal(again.values, serial.values)
