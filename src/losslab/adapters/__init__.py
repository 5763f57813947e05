"""Adapters to heavy optional frameworks, each imported lazily from its own leaf module:
``losslab.adapters.torch`` (PyTorch), ``losslab.adapters.torch_batch`` (many grid points per
forward pass, for GPUs), ``losslab.adapters.dask`` (the Dask executor). ``import losslab``
imports none of them.
"""
