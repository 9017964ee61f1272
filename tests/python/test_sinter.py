"""qecd's sinter decoders, in process: agreement with sinter's pymatching, the command line's
--custom_decoders_module_function, and sharded `qecd threshold` CSVs merged by `sinter
combine`."""

import pathlib
import pickle
import subprocess
import sys

import pytest
import sinter
import stim

import qecd
from conftest import run_qecd

# sinter's command line, installed beside this interpreter.
SINTER = str(pathlib.Path(sys.executable).with_name("sinter"))
NOISE = 0.005
SHOTS = {3: 40_000, 5: 40_000, 7: 20_000}


def memory(d):
    return stim.Circuit.generated("surface_code:rotated_memory_x", distance=d, rounds=d,
                                  after_clifford_depolarization=NOISE,
                                  before_round_data_depolarization=NOISE,
                                  before_measure_flip_probability=NOISE,
                                  after_reset_flip_probability=NOISE)


@pytest.mark.parametrize("ours, theirs", [("qecd", "pymatching"),
                                          ("qecd-correlated", "pymatching-correlated")])
def test_collect_agrees_with_pymatching_within_four_sigma(ours, theirs):
    stats = []
    for d in SHOTS:
        stats += sinter.collect(num_workers=2,
                                tasks=[sinter.Task(circuit=memory(d), json_metadata={"d": d})],
                                decoders=[ours, theirs], max_shots=SHOTS[d],
                                custom_decoders=qecd.sinter_decoders())
    by = {(s.json_metadata["d"], s.decoder): s for s in stats}
    for d in SHOTS:
        q, p = by[(d, ours)], by[(d, theirs)]
        assert q.shots >= SHOTS[d] and p.shots >= SHOTS[d]
        rq, rp = q.errors / q.shots, p.errors / p.shots
        sigma = (rq * (1 - rq) / q.shots + rp * (1 - rp) / p.shots) ** 0.5
        assert abs(rq - rp) <= 4 * max(sigma, 1e-9), (d, q, p)


def test_decoders_pickle_and_compile_in_process():
    decoders = qecd.sinter_decoders()
    assert set(decoders) == {"qecd", "qecd-correlated"}
    assert all(isinstance(d, sinter.Decoder) for d in decoders.values())
    clone = pickle.loads(pickle.dumps(decoders["qecd"]))
    compiled = clone.compile_decoder_for_dem(dem=memory(3).detector_error_model(
        decompose_errors=True))
    assert isinstance(compiled, sinter.CompiledDecoder)
    correlated = pickle.loads(pickle.dumps(decoders["qecd-correlated"]))
    assert correlated.enable_correlations
    dem = stim.DetectorErrorModel("error(0.1) D0 D1 ^ D2\nerror(0.1) D1")
    assert isinstance(correlated.compile_decoder_for_dem(dem=dem), sinter.CompiledDecoder)


def test_sinter_command_line_loads_qecd_decoders(tmp_path):
    (tmp_path / "d3.stim").write_text(str(memory(3)))
    out = tmp_path / "out.csv"
    subprocess.run([SINTER, "collect", "--circuits",
                    str(tmp_path / "d3.stim"), "--decoders", "qecd",
                    "--custom_decoders_module_function", "qecd:sinter_decoders",
                    "--max_shots", "2000", "--processes", "2", "--save_resume_filepath",
                    str(out), "--quiet"], check=True, cwd=tmp_path)
    stats = sinter.read_stats_from_csv_files(out)
    assert sum(s.shots for s in stats if s.decoder == "qecd") >= 2000


def test_threshold_shards_merge_with_sinter_combine(tmp_path):
    args = ["threshold", "--distances", "3,5", "--p", "0.05,0.08,0.11", "--shots", "500",
            "--bootstrap", "0", "--seed", "4", "--decoder", "mwpm"]
    whole = run_qecd(*args, "--out", tmp_path / "whole.csv")
    assert whole.returncode == 0, whole.stderr
    parts = []
    for k in range(3):
        part = tmp_path / f"shard{k}.csv"
        r = run_qecd(*args, "--shard", f"{k}/3", "--out", part)
        assert r.returncode == 0, r.stderr
        parts.append(str(part))
    combined = subprocess.run([SINTER, "combine", *parts],
                              capture_output=True, text=True, check=True).stdout
    (tmp_path / "combined.csv").write_text(combined)

    def counts(path):
        return sorted((s.strong_id, s.shots, s.errors) for s in
                      sinter.read_stats_from_csv_files(pathlib.Path(path)))

    assert counts(tmp_path / "combined.csv") == counts(tmp_path / "whole.csv")
    assert len(counts(tmp_path / "whole.csv")) == 6
