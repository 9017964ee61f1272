"""qecd.Matching against PyMatching on the Stim fixtures, and its errors on bad input."""

import sys
import threading

import numpy as np
import pymatching
import pytest
import stim

import qecd
from conftest import FIXTURES, read_b8, run_qecd


def fixture(name):
    d = FIXTURES / name
    dem = stim.DetectorErrorModel.from_file(d / "model.dem")
    dets = read_b8(d / "dets.b8", dem.num_detectors)
    pred = read_b8(d / "pymatching_pred.b8", dem.num_observables)
    weights = np.loadtxt(d / "pymatching_weight.txt")
    return dem, dets, pred, weights


def test_surface_d5_predictions_identical_and_weights_equal_to_pymatching():
    dem, dets, pred, weights = fixture("surface_d5")
    m = qecd.Matching.from_detector_error_model(dem)
    assert (m.num_detectors, m.num_observables) == (dem.num_detectors, dem.num_observables)
    got, got_w = m.decode_batch(dets, bit_packed_shots=True, bit_packed_predictions=True,
                                return_weights=True)
    assert got.dtype == np.uint8 and got.shape == pred.shape
    assert np.array_equal(got, pred)
    # PyMatching sums weights discretised to integers: equal up to that rounding.
    np.testing.assert_allclose(got_w, weights, rtol=1e-4, atol=1e-6)
    live = pymatching.Matching.from_detector_error_model(dem)
    unpacked = np.unpackbits(dets, axis=1, count=dem.num_detectors, bitorder="little")
    p_pred, p_w = live.decode_batch(unpacked, return_weights=True)
    q_pred = m.decode_batch(unpacked)
    assert np.array_equal(q_pred, p_pred)
    np.testing.assert_allclose(got_w, p_w, rtol=1e-4, atol=1e-6)


def test_toric_l8_weights_equal_to_pymatching():
    dem, dets, pred, weights = fixture("toric_L8")
    m = qecd.Matching(dem)
    got, got_w = m.decode_batch(dets, bit_packed_shots=True, bit_packed_predictions=True,
                                return_weights=True)
    np.testing.assert_allclose(got_w, weights, rtol=1e-4, atol=1e-6)
    # The toric code has many tied minimum-weight corrections of different logical classes, so
    # predictions differ shot by shot; the logical error rates agree.
    obs = read_b8(FIXTURES / "toric_L8" / "obs.b8", 4)
    rq, rp = (np.mean(np.any(x != obs, axis=1)) for x in (got, pred))
    sigma = (2 * rp * (1 - rp) / len(obs)) ** 0.5
    assert abs(rq - rp) <= 4 * sigma, (rq, rp)


def test_single_shot_decode_edges_and_text_input_agree_with_batch():
    dem, dets, _, _ = fixture("surface_d5")
    m = qecd.Matching.from_detector_error_model(str(dem), num_threads=2)
    shots = np.unpackbits(dets[:200], axis=1, count=dem.num_detectors, bitorder="little")
    batch, weights = m.decode_batch(shots.astype(bool), return_weights=True)
    graph = {}
    for inst in dem.flattened():
        if inst.type == "error":
            dets_of = [t.val for t in inst.targets_copy() if t.is_relative_detector_id()]
            graph.setdefault(tuple(sorted(dets_of)), inst.args_copy()[0])
    for r in range(0, 200, 7):
        pred, w = m.decode(shots[r], return_weight=True)
        assert np.array_equal(pred, batch[r]) and w == pytest.approx(weights[r])
        edges = m.decode_to_edges_array(shots[r])
        assert edges.dtype == np.int64 and edges.shape[1] == 2
        # The correction's boundary is the syndrome.
        parity = np.zeros(dem.num_detectors, dtype=np.uint8)
        for a, b in edges:
            for v in (a, b):
                if v >= 0:
                    parity[v] ^= 1
        assert np.array_equal(parity, shots[r])


def test_threads_give_identical_results_and_release_the_gil():
    circuit = stim.Circuit.generated("surface_code:rotated_memory_x", distance=7, rounds=7,
                                     after_clifford_depolarization=0.005)
    dem = circuit.detector_error_model(decompose_errors=True)
    dets = circuit.compile_detector_sampler(seed=3).sample(20_000, bit_packed=True)
    one = qecd.Matching(dem, num_threads=1)
    two = qecd.Matching(dem, num_threads=2)
    assert two.num_threads == 2
    expected = one.decode_batch(dets, bit_packed_shots=True)
    assert np.array_equal(two.decode_batch(dets, bit_packed_shots=True), expected)
    # Whether the GIL is released while a batch decodes, without timing anything: with a
    # switch interval far longer than the test, a thread holding the GIL keeps it until it
    # lets go itself. The worker signals, then decodes; this thread wakes from the wait only
    # when the worker lets go of the GIL. If decode_batch releases it, this thread runs while
    # the batch (tens of milliseconds) is still decoding; if it held the GIL throughout, this
    # thread would run only after the batch is done.
    started, done = threading.Event(), threading.Event()

    def decode():
        started.set()
        one.decode_batch(dets, bit_packed_shots=True)
        done.set()

    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        worker = threading.Thread(target=decode)
        worker.start()
        started.wait()
        ran_during_decode = not done.is_set()
        worker.join()
    finally:
        sys.setswitchinterval(old_interval)
    assert ran_during_decode, "decode_batch held the GIL for the whole batch"


def test_bad_input_raises_value_error_with_the_cli_message(tmp_path):
    bad = "error(0.1) D0 D1\nerror(x) D0\n"
    with pytest.raises(ValueError) as e:
        qecd.Matching.from_detector_error_model(bad)
    assert str(e.value) == "line 2, column 7: expected a number, found 'x'"
    (tmp_path / "bad.dem").write_text(bad)
    (tmp_path / "s.01").write_text("10\n")
    cli = run_qecd("predict", "--dem", tmp_path / "bad.dem", "--in", tmp_path / "s.01",
                   "--in_format", "01", "--out", tmp_path / "p.01")
    assert cli.returncode != 0 and str(e.value) in cli.stderr, cli.stderr

    # No boundary: one event cannot be matched. The CLI names the same shot (1-based).
    (tmp_path / "ring.dem").write_text("error(0.1) D0 D1\nerror(0.1) D1 D2\nerror(0.1) D2 D0\n")
    (tmp_path / "odd.01").write_text("000\n100\n")
    m = qecd.Matching.from_detector_error_model_file(tmp_path / "ring.dem")
    with pytest.raises(ValueError) as e:
        m.decode_batch(np.array([[0, 0, 0], [1, 0, 0]], dtype=np.uint8))
    assert str(e.value).startswith("shot 2: no perfect matching")
    cli = run_qecd("predict", "--dem", tmp_path / "ring.dem", "--in", tmp_path / "odd.01",
                   "--in_format", "01", "--out", tmp_path / "p.01")
    assert cli.returncode != 0 and str(e.value) in cli.stderr, cli.stderr

    with pytest.raises(ValueError, match="shots have 2 detection-event bits but the decoder's "
                                         "model has 3 detectors"):
        m.decode_batch(np.zeros((4, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="bit-packed shots have 2 bytes per shot"):
        m.decode_batch(np.zeros((4, 2), dtype=np.uint8), bit_packed_shots=True)
    with pytest.raises(ValueError, match="two-dimensional"):
        m.decode_batch(np.zeros(3, dtype=np.uint8))
    with pytest.raises(ValueError, match="one-dimensional"):
        m.decode(np.zeros((1, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="num_threads=5000"):
        qecd.Matching("error(0.1) D0", num_threads=5000)
    with pytest.raises(TypeError, match="stim.DetectorErrorModel or DEM text"):
        qecd.Matching(42)


def test_correlated_matching_agrees_with_pymatching_correlated():
    dem, dets, _, _ = fixture("surface_d5")
    q = qecd.Matching.from_detector_error_model(dem, enable_correlations=True)
    p = pymatching.Matching.from_detector_error_model(dem, enable_correlations=True)
    shots = np.unpackbits(dets, axis=1, count=dem.num_detectors, bitorder="little")
    q_pred = q.decode_batch(shots, enable_correlations=True)
    p_pred = p.decode_batch(shots, enable_correlations=True)
    # Shortest-path ties in the first pass can change the reweighting (scripts/
    # check_correlated.py); predictions agree on nearly every shot.
    assert np.mean(np.all(q_pred == p_pred, axis=1)) >= 0.995
    assert np.array_equal(q.decode(shots[0], enable_correlations=True), q_pred[0])
    # Without the flag, the same object decodes uncorrelated.
    assert np.array_equal(q.decode_batch(shots), qecd.Matching(dem).decode_batch(shots))
    with pytest.raises(ValueError, match="return_weights=True is not available"):
        q.decode_batch(shots[:1], return_weights=True, enable_correlations=True)
    m = qecd.Matching("error(0.1) D0")
    with pytest.raises(ValueError, match="enable_correlations=True needs a Matching built"):
        m.decode_batch(np.zeros((1, 1), dtype=np.uint8), enable_correlations=True)
