//! Shot files: 01 <-> b8 round trips, the Stim fixtures, and the errors on bad files.

use proptest::prelude::*;
use qecd::bits::BitMatrix;
use qecd::io::{split_columns, ShotFormat, ShotIoError, ShotReader, ShotWriter};
use std::io::Cursor;

fn write(m: &BitMatrix, format: ShotFormat) -> Vec<u8> {
    let mut w = ShotWriter::new(Vec::new(), format, m.cols(), "mem");
    w.write_batch(m).unwrap();
    w.finish().unwrap()
}

fn read_all(
    bytes: &[u8],
    format: ShotFormat,
    bits: usize,
    batch: usize,
) -> Result<BitMatrix, ShotIoError> {
    let reader = ShotReader::new(Cursor::new(bytes), format, bits, "mem")?.with_batch_size(batch);
    let mut all = BitMatrix::zeros(0, bits);
    for b in reader {
        all.append(&b?);
    }
    Ok(all)
}

fn matrix(rows: usize, cols: usize, seed: &[bool]) -> BitMatrix {
    let mut m = BitMatrix::zeros(rows, cols);
    for r in 0..rows {
        for c in 0..cols {
            m.set(r, c, seed[(r * cols + c) % seed.len()]);
        }
    }
    m
}

proptest! {
    #[test]
    fn b8_and_01_round_trip(rows in 0usize..40, cols in 1usize..30,
                            seed in prop::collection::vec(any::<bool>(), 1..97),
                            batch in 1usize..9) {
        let m = matrix(rows, cols, &seed);
        let b8 = write(&m, ShotFormat::B8);
        let z1 = write(&m, ShotFormat::Zero1);
        prop_assert_eq!(b8.len(), rows * cols.div_ceil(8));
        prop_assert_eq!(z1.len(), rows * (cols + 1));
        let from_b8 = read_all(&b8, ShotFormat::B8, cols, batch).unwrap();
        let from_01 = read_all(&z1, ShotFormat::Zero1, cols, batch).unwrap();
        prop_assert_eq!(&from_b8, &m);
        prop_assert_eq!(&from_01, &m);
        // 01 -> b8 conversion through the reader and writer gives the b8 bytes.
        prop_assert_eq!(write(&from_01, ShotFormat::B8), b8);
    }

    #[test]
    fn split_then_rejoin_is_identity(rows in 0usize..10, cols in 1usize..30, at_frac in 0.0f64..1.0,
                                     seed in prop::collection::vec(any::<bool>(), 1..50)) {
        let m = matrix(rows, cols, &seed);
        let at = ((cols as f64) * at_frac) as usize;
        let (a, b) = split_columns(&m, at);
        for r in 0..rows {
            for c in 0..cols {
                let v = if c < at { a.get(r, c) } else { b.get(r, c - at) };
                prop_assert_eq!(v, m.get(r, c));
            }
        }
    }
}

#[test]
fn stim_fixture_01_and_b8_agree() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/stim/toric_L8");
    let obs_b8 = std::fs::read(format!("{dir}/obs.b8")).unwrap();
    let obs_01 = std::fs::read(format!("{dir}/obs.01")).unwrap();
    let a = read_all(&obs_b8, ShotFormat::B8, 2, 1000).unwrap();
    let b = read_all(&obs_01, ShotFormat::Zero1, 2, 333).unwrap();
    assert_eq!(a.rows(), 10_000);
    assert_eq!(a, b);
    assert_eq!(write(&a, ShotFormat::Zero1), obs_01);
    let dets = ShotReader::open(
        std::path::Path::new(&format!("{dir}/dets.b8")),
        ShotFormat::B8,
        64,
    )
    .unwrap()
    .map(|b| b.unwrap().rows())
    .sum::<usize>();
    assert_eq!(dets, 10_000);
}

#[test]
fn crlf_and_missing_final_newline_are_accepted() {
    let m = read_all(b"0110\r\n1000", ShotFormat::Zero1, 4, 10).unwrap();
    assert_eq!(m.rows(), 2);
    assert_eq!(m.ones(0), vec![1, 2]);
    assert_eq!(m.ones(1), vec![0]);
}

#[test]
fn bad_character_names_shot_and_column() {
    let err = read_all(b"0000\n0102\n", ShotFormat::Zero1, 4, 1).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            ShotIoError::BadCharacter {
                shot: 2,
                column: 4,
                ..
            }
        ),
        "{msg}"
    );
    assert_eq!(msg, "mem: shot 2, column 4: expected '0' or '1', found '2'");
    let err = read_all(b"00\t0\n", ShotFormat::Zero1, 4, 1).unwrap_err();
    assert!(err.to_string().contains("found byte 0x09"), "{err}");
}

#[test]
fn wrong_line_length_names_shot_and_counts() {
    let err = read_all(b"0000\n00000\n", ShotFormat::Zero1, 4, 7).unwrap_err();
    assert!(matches!(
        err,
        ShotIoError::WrongLineLength {
            shot: 2,
            expected: 4,
            found: 5,
            ..
        }
    ));
    assert!(err.to_string().contains("wider"), "{err}");
    let err = read_all(b"0000\n00", ShotFormat::Zero1, 4, 7).unwrap_err();
    assert!(
        err.to_string().contains("shot 2") && err.to_string().contains("truncated"),
        "{err}"
    );
}

#[test]
fn truncated_b8_names_shot_and_bytes() {
    // 10 bits -> 2 bytes per shot; 5 bytes = 2 shots and half of a third.
    let err = read_all(&[0, 0, 1, 0, 7], ShotFormat::B8, 10, 2).unwrap_err();
    assert!(
        matches!(
            err,
            ShotIoError::Truncated {
                shot: 3,
                file_len: 5,
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("shot 3 is truncated"), "{err}");
}

#[test]
fn b8_padding_bit_means_wider_shots() {
    // 10 bits per shot: bit 12 of the second shot lives in padding.
    let err = read_all(&[0, 0, 0, 0b0001_0000], ShotFormat::B8, 10, 8).unwrap_err();
    assert!(
        matches!(
            err,
            ShotIoError::PaddingBitSet {
                shot: 2,
                byte: 3,
                bit: 12,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn zero_width_b8_is_refused() {
    assert!(matches!(
        ShotReader::new(Cursor::new(&b""[..]), ShotFormat::B8, 0, "x"),
        Err(ShotIoError::ZeroWidthBinary { .. })
    ));
    // 01 with zero bits: empty lines are shots.
    assert_eq!(
        read_all(b"\n\n\n", ShotFormat::Zero1, 0, 2).unwrap().rows(),
        3
    );
}

#[test]
fn missing_file_is_named() {
    let Err(err) = ShotReader::open(std::path::Path::new("/nonexistent/x.b8"), ShotFormat::B8, 3)
    else {
        panic!("opened a missing file");
    };
    assert!(err.to_string().starts_with("/nonexistent/x.b8: "), "{err}");
}
