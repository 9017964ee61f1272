"""qecd: an exact minimum-weight perfect matching decoder, from Rust, for Python pipelines.

- ``qecd.Matching``: PyMatching's ``Matching`` API (``from_detector_error_model``, ``decode``,
  ``decode_batch``, ``decode_to_edges_array``, ``num_detectors``, ``num_observables``) on
  numpy arrays, decoding with the GIL released on ``num_threads`` workers.
- ``qecd.sinter_decoders()``: ``{"qecd": ..., "qecd-correlated": ...}`` for
  ``sinter.collect(custom_decoders=...)`` and
  ``sinter collect --custom_decoders_module_function qecd:sinter_decoders``.
- ``qecd.toric_dem`` and ``qecd.sample_toric``: the toric code's detector error model and
  seeded bit-packed shots.

Invalid input raises ``ValueError`` with the message the ``qecd`` command line prints.
"""

from qecd._qecd import Matching, __version__, sample_toric, toric_dem

__all__ = ["Matching", "sample_toric", "sinter_decoders", "toric_dem", "__version__"]


def sinter_decoders():
    """qecd's decoders for sinter, by name: ``"qecd"`` (matching) and ``"qecd-correlated"``
    (correlated matching, ``enable_correlations=True``). Needs sinter installed
    (``pip install qecd[sinter]``)."""
    from qecd._sinter import sinter_decoders as decoders

    return decoders()
