//! Shot files: round trips through all six formats, the Stim fixtures, and the errors on bad
//! files.

use proptest::prelude::*;
use qecd::bits::BitMatrix;
use qecd::io::{
    split_columns, ShotFormat, ShotIoError, ShotLayout, ShotReader, ShotWriter, MAX_BATCH_BYTES,
};
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

fn write_layout(m: &BitMatrix, format: ShotFormat, layout: ShotLayout) -> Vec<u8> {
    let mut w = ShotWriter::new(Vec::new(), format, layout, "mem");
    w.write_batch(m).unwrap();
    w.finish().unwrap()
}

fn read_layout(
    bytes: &[u8],
    format: ShotFormat,
    layout: ShotLayout,
    batch: usize,
) -> Result<BitMatrix, ShotIoError> {
    let reader = ShotReader::new(Cursor::new(bytes), format, layout, "mem")?.with_batch_size(batch);
    let mut all = BitMatrix::zeros(0, layout.bits());
    for b in reader {
        all.append(&b?);
    }
    Ok(all)
}

proptest! {
    #[test]
    fn every_format_round_trips(groups in 0usize..3, extra in 0usize..70, detectors in 0usize..300,
                                observables in 0usize..5, density in 0.0f64..1.0,
                                seed in prop::collection::vec(any::<u32>(), 1..64),
                                batch in 1usize..150) {
        let layout = ShotLayout::new(detectors, observables);
        let bits = layout.bits();
        prop_assume!(bits > 0);
        for format in ShotFormat::ALL {
            // ptb64 holds whole groups of 64 shots.
            let rows = if format == ShotFormat::Ptb64 { 64 * groups } else { 64 * groups + extra };
            let mut m = BitMatrix::zeros(rows, bits);
            for r in 0..rows {
                for c in 0..bits {
                    let x = seed[(r * bits + c) % seed.len()].wrapping_mul((r * 31 + c) as u32 + 1);
                    m.set(r, c, (x as f64 / u32::MAX as f64) < density);
                }
            }
            let bytes = write_layout(&m, format, layout);
            let back = read_layout(&bytes, format, layout, batch).unwrap();
            prop_assert_eq!(&back, &m, "format {}", format);
        }
    }

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

#[test]
fn new_formats_refuse_bad_data_with_the_shot_and_position() {
    let layout = ShotLayout::new(3, 1);
    let err = |bytes: &[u8], format| {
        read_layout(bytes, format, layout, 10)
            .unwrap_err()
            .to_string()
    };
    let e = err(b"shot D1 L0\nshot D3\n", ShotFormat::Dets);
    assert!(
        e.contains("shot 2, column 6") && e.contains("D3") && e.contains("3 detectors"),
        "{e}"
    );
    let e = err(b"shot L1\n", ShotFormat::Dets);
    assert!(e.contains("1 observables"), "{e}");
    let e = err(b"shot X1\n", ShotFormat::Dets);
    assert!(e.contains("D<k>, L<k> or M<k>"), "{e}");
    let e = err(b"D1\n", ShotFormat::Dets);
    assert!(e.contains("starting with 'shot'"), "{e}");
    let e = err(b"shotD1\n", ShotFormat::Dets);
    assert!(e.contains("space after 'shot'"), "{e}");
    let e = err(b"1,2\n0,4\n", ShotFormat::Hits);
    assert!(
        e.contains("shot 2, column 3") && e.contains("bit index 4"),
        "{e}"
    );
    let e = err(b"1,,2\n", ShotFormat::Hits);
    assert!(
        e.contains("column 3") && e.contains("decimal digits"),
        "{e}"
    );
    let e = err(&[4, 0, 2], ShotFormat::R8);
    assert!(
        e.contains("shot 2") && e.contains("ends inside the shot"),
        "{e}"
    );
    let e = err(&[5], ShotFormat::R8);
    assert!(
        e.contains("shot 1, byte 0") && e.contains("past the end"),
        "{e}"
    );
    let e = err(&[0; 33], ShotFormat::Ptb64);
    assert!(e.contains("multiple of 64 shots"), "{e}");
    // A line longer than any shot could be is refused before it is all read.
    let long = vec![b'1'; 1 << 20];
    let e = err(&long, ShotFormat::Zero1);
    assert!(e.contains("longer than any 01 shot of 4 bits"), "{e}");
}

#[test]
fn dets_reads_what_stim_writes() {
    // Stim's documented example: detectors 1 fired and observable 5 flipped.
    let layout = ShotLayout::new(3, 6);
    let m = read_layout(b"shot D1 L5\nshot\n", ShotFormat::Dets, layout, 10).unwrap();
    assert_eq!(m.ones(0), vec![1, 8]);
    assert!(m.ones(1).is_empty());
    // hits: an empty line is a shot without set bits.
    let m = read_layout(b"4,5\n\n0\n", ShotFormat::Hits, 9.into(), 2).unwrap();
    assert_eq!((m.rows(), m.ones(0), m.ones(2)), (3, vec![4, 5], vec![0]));
}

#[test]
fn wide_shots_give_small_batches_not_huge_allocations() {
    // 2^24 bits a shot: a batch of 16384 shots would be 32 GiB; the reader caps it.
    let bits = 1 << 24;
    let mut reader = ShotReader::new(Cursor::new(&b""[..]), ShotFormat::B8, bits, "mem")
        .unwrap()
        .with_batch_size(16384);
    assert!(reader.next_batch(16384).unwrap().is_none());
    let shot = vec![0u8; bits / 8 * 3];
    let reader = ShotReader::new(Cursor::new(&shot[..]), ShotFormat::B8, bits, "mem")
        .unwrap()
        .with_batch_size(16384);
    let sizes: Vec<usize> = reader.map(|b| b.unwrap().rows()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 3);
    assert!(
        sizes.iter().all(|&r| r * bits / 8 <= MAX_BATCH_BYTES),
        "{sizes:?}"
    );
}
