"""Adapters to heavy optional frameworks, each imported lazily from its own leaf module:
``losslab.adapters.torch`` (PyTorch). ``import losslab`` imports none of them.
"""
