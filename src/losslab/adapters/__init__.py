"""Adapters to heavy optional frameworks, each imported lazily from its own leaf modules:
``losslab.adapters.torch`` (PyTorch: :class:`TorchProblem` for scans, curvature and batches
of grid points on a GPU) and ``losslab.adapters.dask`` (the Dask executor). ``import
losslab`` imports none of them.
"""
