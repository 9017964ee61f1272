"""The toric code from Python: DEM text and seeded bit-packed sampling, as the CLI gives."""

import numpy as np
import pymatching
import pytest
import stim

import qecd
from conftest import read_b8, run_qecd


def test_toric_dem_is_stim_dem_of_the_sampled_layout():
    dem = stim.DetectorErrorModel(qecd.toric_dem(5, 0.1, noise="depolarizing"))
    assert (dem.num_detectors, dem.num_observables) == (50, 4)
    with pytest.raises(ValueError, match="at least 2"):
        qecd.toric_dem(1, 0.1)
    with pytest.raises(ValueError):
        qecd.toric_dem(5, 0.1, noise="nonsense")


def test_sampling_is_seeded_bit_packed_and_matches_the_cli(tmp_path):
    dets, obs, errors = qecd.sample_toric(6, 0.08, 1000, seed=9, errors=True)
    assert dets.shape == (1000, 9) and obs.shape == (1000, 1) and errors.shape == (1000, 18)
    assert dets.dtype == np.uint8
    again, _ = qecd.sample_toric(6, 0.08, 1000, seed=9)
    assert np.array_equal(again, dets)
    other, _ = qecd.sample_toric(6, 0.08, 1000, seed=10)
    assert not np.array_equal(other, dets)
    cli = run_qecd("sample", "--code", "toric", "--distance", 6, "--p", 0.08, "--shots", 1000,
                   "--seed", 9, "--out", tmp_path / "d.b8", "--out_format", "b8",
                   "--obs_out", tmp_path / "o.b8", "--obs_out_format", "b8")
    assert cli.returncode == 0, cli.stderr
    assert np.array_equal(read_b8(tmp_path / "d.b8", 72), dets)
    assert np.array_equal(read_b8(tmp_path / "o.b8", 4), obs)


def test_decoding_sampled_shots_matches_pymatching_weights():
    dem = qecd.toric_dem(8, 0.04, noise="bitflip")
    dets, obs = qecd.sample_toric(8, 0.04, 2000, noise="bitflip", seed=1)
    q_pred, q_w = qecd.Matching(dem).decode_batch(dets, bit_packed_shots=True,
                                                  bit_packed_predictions=True,
                                                  return_weights=True)
    unpacked = np.unpackbits(dets, axis=1, count=128, bitorder="little")
    _, p_w = pymatching.Matching.from_detector_error_model(
        stim.DetectorErrorModel(dem)).decode_batch(unpacked, return_weights=True)
    np.testing.assert_allclose(q_w, p_w, rtol=1e-4, atol=1e-6)
    assert np.mean(np.any(q_pred != obs, axis=1)) < 0.05
