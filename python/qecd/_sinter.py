"""sinter decoders backed by ``qecd.Matching``, decoding in process (no files, no subprocess).

sinter pickles decoders to its worker processes, so the classes live at module level and hold
only plain settings; each worker compiles its own ``qecd.Matching`` per task.
"""

import numpy as np
import sinter
import stim

from qecd._qecd import Matching


class QecdCompiledDecoder(sinter.CompiledDecoder):
    """A ``qecd.Matching`` compiled for one detector error model."""

    def __init__(self, matching: Matching, enable_correlations: bool):
        self.matching = matching
        self.enable_correlations = enable_correlations

    def decode_shots_bit_packed(self, *, bit_packed_detection_event_data: np.ndarray) -> np.ndarray:
        return self.matching.decode_batch(
            bit_packed_detection_event_data,
            bit_packed_shots=True,
            bit_packed_predictions=True,
            enable_correlations=self.enable_correlations,
        )


class QecdDecoder(sinter.Decoder):
    """qecd's exact matching as a sinter decoder (one thread per sinter worker)."""

    def __init__(self, enable_correlations: bool = False):
        self.enable_correlations = enable_correlations

    def compile_decoder_for_dem(self, *, dem: stim.DetectorErrorModel) -> sinter.CompiledDecoder:
        matching = Matching.from_detector_error_model(
            dem, enable_correlations=self.enable_correlations, num_threads=1
        )
        return QecdCompiledDecoder(matching, self.enable_correlations)

    def __repr__(self) -> str:
        return f"QecdDecoder(enable_correlations={self.enable_correlations})"


def sinter_decoders():
    """``{"qecd": QecdDecoder(), "qecd-correlated": QecdDecoder(enable_correlations=True)}``."""
    return {
        "qecd": QecdDecoder(),
        "qecd-correlated": QecdDecoder(enable_correlations=True),
    }
