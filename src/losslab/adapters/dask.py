"""Scans on a Dask cluster (``pip install 'losslab[distributed]'``): the executor seam on Dask.

:class:`DaskExecutor` runs the blocks of grid rows of a scan on ``dask.distributed``
workers, on this machine (:meth:`DaskExecutor.local`, a ``LocalCluster`` of processes
with one thread each) or on a cluster that is already running (:meth:`DaskExecutor.connect`:
``dask scheduler`` / ``dask worker``, dask-jobqueue on SLURM or PBS, Kubernetes).

- The task is shipped once: its pickled bytes go to the scheduler once, one worker unpickles
  them into a future, and each block is a small task that names that future, so a worker
  fetches the task once and the data never travel with a block. It is a computed future
  rather than scattered data so that it survives any worker dying: the scheduler makes it
  again from the bytes (scattered data, once its last holder dies, is lost for good).
- A task may have ``prepare()``: each worker then calls it once per task (a worker-side
  cache keyed by the task's token) and runs every later block on what it built (a model
  and data constructed from a picklable spec), so nothing is built twice on one worker.
- Results come back as blocks finish (``as_completed``). A worker that dies mid-scan has
  its blocks recomputed elsewhere by the scheduler, with the same code on the same inputs,
  so the values equal the serial ones bit for bit.
- A scheduler that cannot be reached gives one :class:`~losslab.errors.LosslabError`
  sentence after ``timeout`` seconds.

Dask is imported here only, and only when an executor is made.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

from losslab.errors import LosslabError
from losslab.landscape.executor import Block, BlockTask, FloatArray, RowExecutor, SerialExecutor

#: Seconds to wait for a scheduler before saying it cannot be reached.
CONNECT_TIMEOUT = 5.0
#: How many prepared tasks one worker keeps (the newest); older ones are dropped.
CACHE_SIZE = 2
#: How many times a block is re-run when its task raised (a worker that dies is handled
#: by the scheduler itself, ``distributed.scheduler.allowed-failures`` times).
RETRIES = 2

#: What ``connect`` says when something answers that is not a Dask scheduler.
NOT_DASK = "not a Dask scheduler"

_PREPARED: OrderedDict[str, Any] = OrderedDict()
_LOCK = threading.Lock()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise LosslabError("distributed.dask_missing") from None
    return distributed


def task_payload(task: BlockTask) -> tuple[bytes, str]:
    """The pickled task and its token (a digest: the key of the worker-side cache).

    >>> task_payload(3)[1] == task_payload(3)[1], len(task_payload(3)[1])
    (True, 16)
    """
    from distributed.protocol import pickle

    data: bytes = pickle.dumps(task)  # type: ignore[no-untyped-call]
    return data, hashlib.sha256(data).hexdigest()[:16]


def load_task(payload: bytes) -> Any:
    """The task, unpickled on a worker (a computed value: lost, it is computed again)."""
    from distributed.protocol import pickle

    return pickle.loads(payload)  # type: ignore[no-untyped-call]


def prepared(task: Any, token: str) -> Any:
    """What runs the blocks of ``task`` in this process: ``task.prepare()``, built once per token.

    A task without ``prepare`` runs its blocks itself.
    """
    prepare = getattr(task, "prepare", None)
    if prepare is None:
        return task
    with _LOCK:  # one build per token, even on a worker with several threads
        runner = _PREPARED.get(token)
        if runner is None:
            runner = prepare()
            _PREPARED[token] = runner
            while len(_PREPARED) > CACHE_SIZE:
                _PREPARED.popitem(last=False)
        else:
            _PREPARED.move_to_end(token)
    return runner


def run_block(task: Any, token: str, block: Block) -> tuple[Block, FloatArray]:
    """Run one block on a worker: ``(block, values (rows, nx))`` as float64."""
    values = np.asarray(prepared(task, token).run(block), dtype=np.float64)
    return block, values


def dask_config(key: str) -> Any:
    """A value of Dask's configuration (``dask.config.get``)."""
    import dask

    return dask.config.get(key)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _unreachable(address: str, timeout: float) -> str | None:
    """Why no Dask scheduler answers at ``address`` within ``timeout`` s; None when one does.

    A probe of its own (connect and handshake, in a fresh event loop on a thread of its
    own, so it also works under Jupyter's loop) before any Client exists: a Client that
    fails half-way keeps trying to close itself later.
    """
    from distributed.comm.core import connect

    async def probe() -> None:
        comm = await connect(address, timeout=timeout)  # type: ignore[no-untyped-call]
        await comm.close()

    def attempt() -> str | None:
        try:
            asyncio.run(asyncio.wait_for(probe(), timeout))
        except TimeoutError:
            return "timed out"
        except (OSError, ValueError) as exc:  # refused, no such host, a malformed address
            return _first_line(exc)
        except Exception:  # it answered, but not in Dask's protocol
            return NOT_DASK
        return None

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(attempt).result()


class DaskExecutor:
    """Runs blocks of grid rows on a Dask cluster; a context manager that closes what it started.

    Use it as ``with DaskExecutor.local(workers=2) as ex: scan_plane(..., executor=ex)``,
    or ``DaskExecutor.connect("tcp://host:8786")`` for a cluster that is already running
    (closing that one closes the client only, never the cluster).
    """

    def __init__(self, client: Any, cluster: Any = None, retries: int = RETRIES) -> None:
        self.client = client
        self.cluster = cluster
        self.retries = int(retries)

    @classmethod
    def local(cls, workers: int = 2, threads_per_worker: int = 1, **kwargs: Any) -> DaskExecutor:
        """Start a ``LocalCluster`` of ``workers`` processes (one thread each) on this machine."""
        if int(workers) < 1:
            raise LosslabError("distributed.workers", value=workers)
        distributed = _import_distributed()
        options: dict[str, Any] = {
            "n_workers": int(workers),
            "threads_per_worker": int(threads_per_worker),
            "processes": True,
            "dashboard_address": ":0",  # any free port: none is fixed (8787 may be taken)
            "silence_logs": 40,  # logging.ERROR: a scan prints its own progress
        }
        options.update(kwargs)
        import dask

        # Dask gives its worker processes MALLOC_TRIM_THRESHOLD_=65536. Any explicit value turns
        # off glibc's dynamic mmap threshold, so every activation of a grid point (about 1 MB
        # for the digits MLP) is mapped and unmapped again: 1.3-1.6x the CPU time per point
        # (measured). The workers started here keep glibc's defaults instead, and run without
        # the statistical profiler (it samples every 10 ms for a dashboard they do not have).
        # The profiler setting goes in the nannies' own copy of the configuration, so that a
        # worker they restart (after it died) has it too.
        no_profile = {"distributed": {"worker": {"profile": {"enabled": False}}}}
        options.setdefault("config", dask.config.merge(dask.config.config, no_profile))
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
            cluster = distributed.LocalCluster(**options)
        try:
            client = distributed.Client(cluster, set_as_default=False)
        except BaseException:
            cluster.close()
            raise
        return cls(client, cluster)

    @classmethod
    def connect(cls, address: str, timeout: float = CONNECT_TIMEOUT) -> DaskExecutor:
        """Use a running cluster at ``address`` (e.g. ``tcp://10.0.0.5:8786``).

        A scheduler that does not answer within ``timeout`` seconds gives one sentence.
        """
        distributed = _import_distributed()
        why = _unreachable(address, float(timeout))
        if why is None:
            try:
                client = distributed.Client(address, timeout=float(timeout), set_as_default=False)
            except Exception as exc:
                why = _first_line(exc)
        if why == NOT_DASK:
            raise LosslabError("distributed.not_scheduler", address=address)
        if why is not None:
            raise LosslabError(
                "distributed.scheduler", address=address, seconds=f"{timeout:g}", detail=why
            ) from None
        return cls(client)

    @property
    def workers(self) -> int:
        """Threads over all workers now: how many blocks run at the same time."""
        info = self.client.scheduler_info()
        return int(sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def map_blocks(
        self, task: BlockTask, blocks: Sequence[Block]
    ) -> Iterator[tuple[Block, FloatArray]]:
        """Run ``task`` on every block; yield ``(block, values)`` as blocks finish, any order."""
        if not blocks:
            return
        distributed = _import_distributed()
        payload, token = task_payload(task)
        run_id = uuid.uuid4().hex[:8]  # keys of a scan cancelled just before never clash
        # The task as a computed future, not scattered data: a worker that holds it may die
        # (even every one in turn) and the scheduler makes it again from these bytes.
        shared = self.client.submit(load_task, payload, pure=False, key=f"losslab-task-{run_id}")
        futures = [
            self.client.submit(
                run_block,
                shared,
                token,
                block,
                pure=False,
                retries=self.retries,
                key=f"losslab-block-{token}-{run_id}-{block.index}",
            )
            for block in blocks
        ]
        pending = set(futures)
        try:
            for future in distributed.as_completed(futures, loop=self.client.loop):
                try:
                    done, values = future.result()
                except distributed.KilledWorker:
                    tries = 1 + int(dask_config("distributed.scheduler.allowed-failures"))
                    raise LosslabError("distributed.killed", tries=tries) from None
                pending.discard(future)
                future.release()
                yield done, values
        finally:
            if pending:  # the caller stopped early (an error, Ctrl-C): stop the rest
                self.client.cancel(list(pending))
            shared.release()

    def close(self) -> None:
        """Close the client, and the cluster when this executor started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "local" if self.cluster is not None else self.client.scheduler.address
        return f"DaskExecutor({where}, workers={self.workers})"


def open_executor(
    workers: int | None = None, scheduler: str | None = None, timeout: float = CONNECT_TIMEOUT
) -> AbstractContextManager[RowExecutor]:
    """The executor the CLI's ``--workers N`` / ``--scheduler ADDRESS`` ask for, to use in ``with``.

    Neither: the serial executor (Dask is not imported). ``workers``: a local cluster of that
    many processes, closed on leaving. ``scheduler``: a running cluster (left running).

    >>> with open_executor() as executor:
    ...     executor
    SerialExecutor()
    """
    if workers is not None and scheduler is not None:
        raise LosslabError("distributed.both")
    if scheduler is not None:
        return DaskExecutor.connect(scheduler, timeout=timeout)
    if workers is not None:
        return DaskExecutor.local(workers=workers)
    return nullcontext(SerialExecutor())
