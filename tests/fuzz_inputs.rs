//! Bounded fuzzing of the files a user hands to `predict` and `count-mistakes`: Stim detector
//! error models and shot files in all six formats (harness and conventions in
//! `tests/fuzz_harness/mod.rs`; `scripts/fuzz.sh` runs this for hours). The property: parsing,
//! flattening, graph building and decoding return a value or an error, never panic, abort or
//! allocate without bound; what parses writes back and parses to the same model; a shot file
//! either reads or fails with a located error.

mod fuzz_harness;

use fuzz_harness::{fuzz, Settings, Target};
use qecd::bits::{flip_bit, BitMatrix};
use qecd::decode::matching::MwpmDecoder;
use qecd::decode::Decoder;
use qecd::dem::parse_dem;
use qecd::io::{ShotFormat, ShotLayout, ShotReader};
use std::io::Cursor;

const DEM_TOKENS: &[&str] = &[
    "error(",
    "0.1",
    ")",
    " D",
    " L",
    " ^ ",
    "detector",
    "(1, 2)",
    "logical_observable",
    "shift_detectors",
    " 1000000",
    "repeat ",
    " {\n",
    "}\n",
    "\n",
    "#",
    "[tag]",
    "1e-300",
    "18446744073709551615",
    "4294967296",
    ",",
    "()",
];

fn check_dem(input: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(input) else {
        return Ok(());
    };
    let Ok(dem) = parse_dem(text) else {
        return Ok(());
    };
    let written = dem.to_string();
    let again = parse_dem(&written).map_err(|e| format!("written DEM does not parse: {e}"))?;
    if again.to_string() != written {
        return Err("write then parse changed the model".into());
    }
    let Ok(flat) = dem.flatten() else {
        return Ok(());
    };
    if flat.num_detectors > 1 << 16 {
        return Ok(()); // valid but large: decoding it is not this test's business
    }
    let decoder = MwpmDecoder::from_dem(&flat).map_err(|e| format!("graph refused: {e}"))?;
    // A shot the model can produce (its first mechanisms all fired) must decode.
    let mut shot = BitMatrix::zeros(2, flat.num_detectors);
    for e in flat.errors.iter().filter(|e| e.probability > 0.0).take(3) {
        for c in &e.components {
            for &d in &c.detectors {
                flip_bit(shot.row_mut(1), d);
            }
        }
    }
    match decoder.decode_batch(&shot) {
        Ok(p) if p.rows() == 2 && p.cols() == flat.num_observables => Ok(()),
        Ok(_) => Err("predictions of the wrong shape".into()),
        // A certain or >0.5 mechanism can make some shots odd in a closed component; that is
        // a located error, not a crash.
        Err(e) if e.to_string().contains("no perfect matching") => Ok(()),
        Err(e) => Err(format!("decoding a producible shot failed: {e}")),
    }
}

const SHOT_TOKENS: &[&str] = &[
    "shot",
    " D",
    " L",
    " M",
    "0",
    "1",
    ",",
    "\n",
    "\r\n",
    "\u{ff}",
    "99999999999",
];

fn check_shots(input: &[u8]) -> Result<(), String> {
    // The first byte picks the format and layout, the rest is the file.
    let Some((&pick, data)) = input.split_first() else {
        return Ok(());
    };
    let format = ShotFormat::ALL[pick as usize % 6];
    let layout = ShotLayout::new((pick as usize / 6) % 13, (pick as usize / 78) % 3);
    let Ok(reader) = ShotReader::new(Cursor::new(data), format, layout, "fuzz") else {
        return Ok(());
    };
    for batch in reader.with_batch_size(7) {
        match batch {
            Ok(m) if m.cols() != layout.bits() => return Err("batch of the wrong width".into()),
            Ok(_) => {}
            Err(e) if e.to_string().starts_with("fuzz: ") => return Ok(()),
            Err(e) => return Err(format!("error does not name the file: {e}")),
        }
    }
    Ok(())
}

#[test]
fn dem_files_never_crash_the_parser_or_decoder() {
    let settings = Settings::from_env();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dem_corpus");
    let seeds: Vec<Vec<u8>> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "dem"))
        .map(|p| std::fs::read(p).unwrap())
        .filter(|b| b.len() < 20_000)
        .collect();
    let report = fuzz(
        Target {
            name: "dem",
            seeds,
            tokens: DEM_TOKENS,
        },
        &settings,
        check_dem,
    );
    println!(
        "dem: {} corpus files, {} random cases",
        report.corpus, report.cases
    );
}

#[test]
fn shot_files_never_crash_the_readers() {
    let settings = Settings::from_env();
    let seeds = vec![
        b"\x74shot D1 L0\nshot\nshot D3 D5\n".to_vec(),
        b"\x180110\n1000\n".to_vec(),
        b"\x213,4\n\n0\n".to_vec(),
        [&[77u8][..], &[0, 2, 1, 255, 3]].concat(),
        [&[52u8][..], &[0xff; 64]].concat(),
        [&[25u8][..], &[1, 2, 3, 4]].concat(),
    ];
    let report = fuzz(
        Target {
            name: "shots",
            seeds,
            tokens: SHOT_TOKENS,
        },
        &settings,
        check_shots,
    );
    println!(
        "shots: {} corpus files, {} random cases",
        report.corpus, report.cases
    );
}
