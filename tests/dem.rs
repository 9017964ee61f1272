//! The DEM parser and writer: Stim fixtures, round trips, flattening, and errors with positions.

use proptest::prelude::*;
use qecd::dem::{
    parse_dem, Dem, DemError, DemItem, Instruction, InstructionKind, RepeatBlock, Target,
};

fn fixture(name: &str) -> Dem {
    let path = format!(
        "{}/datasets/stim/{name}/model.dem",
        env!("CARGO_MANIFEST_DIR")
    );
    Dem::from_file(std::path::Path::new(&path)).unwrap()
}

#[test]
fn surface_d5_fixture_counts() {
    let flat = fixture("surface_d5").flatten().unwrap();
    assert_eq!(flat.num_detectors, 120);
    assert_eq!(flat.num_observables, 1);
    assert_eq!(flat.detectors.len(), 120);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/stim/surface_d5/model.dem"
    ))
    .unwrap();
    let error_lines = text.lines().filter(|l| l.starts_with("error")).count();
    assert_eq!(flat.errors.len(), error_lines);
    // `detector(2, 0, 0) D12` follows `shift_detectors(0, 0, 1) 0`: time coordinate 1.
    let d12 = flat.detectors.iter().find(|d| d.id == 12).unwrap();
    assert_eq!(d12.coords, vec![2.0, 0.0, 1.0]);
    // Decomposed errors keep their components: `error(..) D1 L0 ^ D12 L0 ^ D14` (line 20).
    let e = flat.errors.iter().find(|e| e.line == 19).unwrap();
    assert_eq!(e.components.len(), 3);
    assert_eq!(e.components[0].detectors, vec![1]);
    assert_eq!(e.components[0].observables, vec![0]);
    assert_eq!(e.components[2].detectors, vec![14]);
}

#[test]
fn toric_l8_fixture_counts() {
    let flat = fixture("toric_L8").flatten().unwrap();
    assert_eq!(flat.num_detectors, 64);
    assert_eq!(flat.num_observables, 2);
    assert_eq!(flat.errors.len(), 128);
    assert!(flat
        .errors
        .iter()
        .all(|e| e.probability == 0.1 && e.components.len() == 1));
}

#[test]
fn fixtures_round_trip_through_writer() {
    for name in ["surface_d5", "toric_L8"] {
        let dem = fixture(name);
        let again = parse_dem(&dem.to_string()).unwrap();
        assert_eq!(
            again.flatten().unwrap().errors.len(),
            dem.flatten().unwrap().errors.len()
        );
        assert_eq!(again.to_string(), dem.to_string());
        let (a, b) = (dem.flatten().unwrap(), again.flatten().unwrap());
        for (x, y) in a.errors.iter().zip(&b.errors) {
            assert_eq!(x.probability, y.probability);
            assert_eq!(x.components, y.components);
        }
    }
}

#[test]
fn repeat_and_shift_flatten_like_stim() {
    let dem = parse_dem(
        "detector(0, 0) D0\n\
         repeat 3 {\n\
         \x20   error(0.125) D0 D1 ^ L0\n\
         \x20   repeat 2 {\n\
         \x20       detector(1, 2) D1\n\
         \x20       shift_detectors(0, 10) 1\n\
         \x20   }\n\
         }\n\
         logical_observable L4\n",
    )
    .unwrap();
    let flat = dem.flatten().unwrap();
    // Six shifts of 1 in total; the last error (third pass) sits at shift 4.
    assert_eq!(flat.errors.len(), 3);
    assert_eq!(flat.errors[2].components[0].detectors, vec![4, 5]);
    assert_eq!(flat.errors[2].components[1].observables, vec![0]);
    assert_eq!(flat.num_observables, 5);
    let ids: Vec<usize> = flat.detectors.iter().map(|d| d.id).collect();
    assert_eq!(ids, vec![0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(flat.detectors[6].coords, vec![1.0, 52.0]);
    assert_eq!(flat.num_detectors, 7);
}

#[test]
fn repeated_targets_cancel_and_case_is_ignored() {
    let flat = parse_dem("ERROR(0.1) d3 D1 D3 l0\n")
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(flat.errors[0].components[0].detectors, vec![1]);
    assert_eq!(flat.num_detectors, 4);
    assert_eq!(flat.num_observables, 1);
}

#[test]
fn tags_comments_and_spacing() {
    let dem =
        parse_dem("  error[my tag\\C\\B](0.5) D0 # comment\n\n# only a comment\ndetector[t] D1\n")
            .unwrap();
    let DemItem::Instruction(ins) = &dem.items[0] else {
        panic!()
    };
    assert_eq!(ins.tag, "my tag]\\");
    assert_eq!(ins.line, 1);
    assert_eq!(
        dem.to_string(),
        "error[my tag\\C\\B](0.5) D0\ndetector[t] D1\n"
    );
}

fn parse_err(text: &str) -> (usize, usize, String) {
    match parse_dem(text) {
        Err(DemError::Parse {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("expected a parse error for {text:?}, got {other:?}"),
    }
}

#[test]
fn errors_name_line_and_column() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "error(0.1) D0\nerrr(0.1) D1\n",
            2,
            1,
            "unknown instruction 'errr'",
        ),
        (
            "error(1.5) D0\n",
            1,
            6,
            "probability must be in [0, 1], found 1.5",
        ),
        ("error(-0.1) D0\n", 1, 6, "probability must be in [0, 1]"),
        ("error(0.1, 0.2) D0\n", 1, 6, "one argument"),
        ("error(abc) D0\n", 1, 7, "expected a number, found 'abc'"),
        ("error(0.1 D0\n", 1, 11, "expected ',' or ')'"),
        ("error(0.1) D0 X3\n", 1, 15, "found 'X3'"),
        ("error(0.1) ^ D0\n", 1, 12, "separator"),
        ("error(0.1) D0 ^ ^ D1\n", 1, 17, "separator"),
        ("error(0.1)D0\n", 1, 11, "expected a space"),
        ("error(0.1) D0 5\n", 1, 15, "found target '5'"),
        ("detector D0 D1\n", 1, 1, "exactly one detector target"),
        ("repeat 2 {\nerror(0.1) D0\n", 1, 1, "never closed"),
        ("error(0.1) D0\n}\n", 2, 1, "without an open repeat block"),
        ("repeat 2\n", 1, 1, "followed by '{'"),
        ("error(0.1) D0 {\n", 1, 1, "cannot open a block"),
        ("error[abc(0.1) D0\n", 1, 6, "never closed with ']'"),
        ("error[a\\x](0.1) D0\n", 1, 8, "unknown escape"),
        ("shift_detectors D1\n", 1, 17, "a plain number"),
        ("error(0.1) D99999999999999999999999\n", 1, 12, "too large"),
    ];
    for &(text, line, column, needle) in cases {
        let (l, c, m) = parse_err(text);
        assert_eq!((l, c), (line, column), "{text:?}: {m}");
        assert!(
            m.contains(needle),
            "{text:?}: message {m:?} lacks {needle:?}"
        );
    }
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.dem");
    std::fs::write(&p, "error(0.1) D0\nerror(2) D1\n").unwrap();
    let msg = Dem::from_file(&p).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("{}: line 2, column 6: ", p.display())),
        "{msg}"
    );
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..1000).prop_map(|k| k as f64 / 1000.0),
        (1e-12f64..1.0),
        (-50i32..50).prop_map(|k| k as f64 * 0.5),
    ]
}

fn instruction() -> impl Strategy<Value = Instruction> {
    let tag = prop_oneof![Just(String::new()), "[a-z \\]\\\\]{1,6}"];
    let error = (
        tag.clone(),
        (0.0f64..=1.0),
        prop::collection::vec(
            prop::collection::vec(
                prop_oneof![
                    (0u64..50).prop_map(Target::Detector),
                    (0u64..3).prop_map(Target::Observable)
                ],
                1..4,
            ),
            0..4,
        ),
    )
        .prop_map(|(tag, p, comps)| {
            let mut targets = Vec::new();
            for (i, c) in comps.into_iter().enumerate() {
                if i > 0 {
                    targets.push(Target::Separator);
                }
                targets.extend(c);
            }
            Instruction {
                kind: InstructionKind::Error,
                tag,
                args: vec![p],
                targets,
                line: 0,
            }
        });
    let detector = (tag.clone(), prop::collection::vec(number(), 0..4), 0u64..50).prop_map(
        |(tag, args, k)| Instruction {
            kind: InstructionKind::Detector,
            tag,
            args,
            targets: vec![Target::Detector(k)],
            line: 0,
        },
    );
    let obs = (0u64..5).prop_map(|k| Instruction {
        kind: InstructionKind::LogicalObservable,
        tag: String::new(),
        args: vec![],
        targets: vec![Target::Observable(k)],
        line: 0,
    });
    let shift =
        (prop::collection::vec(number(), 0..3), 0u64..20).prop_map(|(args, n)| Instruction {
            kind: InstructionKind::ShiftDetectors,
            tag: String::new(),
            args,
            targets: vec![Target::Number(n)],
            line: 0,
        });
    prop_oneof![3 => error, 1 => detector, 1 => obs, 1 => shift]
}

fn dem() -> impl Strategy<Value = Dem> {
    let leaf = prop::collection::vec(instruction().prop_map(DemItem::Instruction), 0..6)
        .prop_map(|items| Dem { items });
    leaf.prop_recursive(3, 40, 4, |inner| {
        prop::collection::vec(
            prop_oneof![
                3 => instruction().prop_map(DemItem::Instruction),
                1 => (0u64..4, inner).prop_map(|(count, body)| DemItem::Repeat(RepeatBlock {
                    count, tag: String::new(), body, line: 0
                })),
            ],
            0..6,
        )
        .prop_map(|items| Dem { items })
    })
}

fn without_lines(dem: &Dem) -> Dem {
    Dem {
        items: dem
            .items
            .iter()
            .map(|item| match item {
                DemItem::Instruction(i) => DemItem::Instruction(Instruction {
                    line: 0,
                    ..i.clone()
                }),
                DemItem::Repeat(b) => DemItem::Repeat(RepeatBlock {
                    line: 0,
                    body: without_lines(&b.body),
                    ..b.clone()
                }),
            })
            .collect(),
    }
}

proptest! {
    #[test]
    fn write_then_parse_is_identity(d in dem()) {
        let text = d.to_string();
        let parsed = parse_dem(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(without_lines(&parsed), d);
        prop_assert_eq!(parsed.to_string(), text);
    }
}

#[test]
fn stim_parser_details_are_accepted() {
    // An empty argument is 0, as Stim reads it.
    let flat =
        parse_dem("error() D0\ndetector(1,,2) D1\nerror(0.1 ,) D1\n").map(|d| d.flatten().unwrap());
    let err = flat.unwrap_err().to_string();
    assert!(err.contains("line 3"), "two arguments for error: {err}");
    let flat = parse_dem("error() D0\ndetector(1,,2) D1\n")
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(flat.errors[0].probability, 0.0);
    assert_eq!(flat.detectors[0].coords, vec![1.0, 0.0, 2.0]);
    // More after `{` and after `}` on the same line.
    let flat = parse_dem("repeat 2 { error(0.1) D0 D1\nshift_detectors 1\n} error(0.2) D5\n")
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(flat.errors.len(), 3);
    assert_eq!(flat.errors[1].components[0].detectors, vec![1, 2]);
    assert_eq!(flat.errors[2].components[0].detectors, vec![7]);
    assert!(parse_dem("repeat 2 {\n}}\n").is_err());
    assert!(parse_dem("error(0x1) D0\n").is_err());
}

#[test]
fn repeat_blocks_without_shifts_are_merged_not_unrolled() {
    // 10^9 copies of one mechanism: one mechanism with the probability of an odd count.
    let flat = parse_dem("repeat 1000000000 {\n    error(0.25) D0 D1\n    detector D1\n}\n")
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!((flat.errors.len(), flat.detectors.len()), (1, 1));
    assert!((flat.errors[0].probability - 0.5).abs() < 1e-12);
    // Three copies: 3p(1-p)^2 + p^3.
    let flat = parse_dem("repeat 3 {\n    repeat 1 {\n        error(0.1) D0\n    }\n}\n")
        .unwrap()
        .flatten()
        .unwrap();
    let p: f64 = 0.1;
    let want = 3.0 * p * (1.0 - p).powi(2) + p.powi(3);
    assert!((flat.errors[0].probability - want).abs() < 1e-15);
    // An even number of certain errors cancels.
    let flat = parse_dem("repeat 4 {\n    error(1) D0\n}\n")
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(flat.errors[0].probability, 0.0);
    // A block that only shifts is applied at once.
    let flat = parse_dem("repeat 1000000 {\n    shift_detectors(1) 1\n}\ndetector(0) D0\n")
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(flat.num_detectors, 1_000_001);
    assert_eq!(flat.detectors[0].coords, vec![1e6]);
    // Same mechanisms as unrolling when the body shifts.
    let text = "repeat 3 {\n    error(0.1) D0 D1\n    shift_detectors 1\n}\n";
    let flat = parse_dem(text).unwrap().flatten().unwrap();
    assert_eq!(flat.errors.len(), 3);
    assert_eq!(flat.errors[2].components[0].detectors, vec![2, 3]);
}

#[test]
fn limits_are_refused_with_the_line_before_allocating() {
    let err = |text: &str| parse_dem(text).unwrap().flatten().unwrap_err().to_string();
    let e = err("error(0.1) D0\ndetector D100000000\n");
    assert!(
        e.starts_with("line 2:") && e.contains("D100000000") && e.contains("16777216"),
        "{e}"
    );
    let e = err("repeat 1000000000 {\n    error(0.1) D0\n    shift_detectors 1\n}\n");
    assert!(
        e.starts_with("line 1:") && e.contains("16777216 error and detector"),
        "{e}"
    );
    let e = err("shift_detectors 18446744073709551615\nshift_detectors 1\nerror(0.1) D0\n");
    assert!(e.starts_with("line 2:") && e.contains("limit"), "{e}");
    let e = err("shift_detectors 18446744073709551615\nerror(0.1) D1\n");
    assert!(e.starts_with("line 2:"), "{e}");
    let e = err("error(0.1) D0 L2000000\n");
    assert!(e.contains("L2000000") && e.contains("observables"), "{e}");
    let e =
        err("repeat 4294967296 {\n    repeat 4294967296 {\n        shift_detectors 1\n    }\n}\n");
    assert!(e.starts_with("line 1:") && e.contains("limit"), "{e}");
    // Nesting deeper than the limit is a parse error, not a stack overflow.
    let deep = "repeat 1 {\n".repeat(100_000);
    let e = parse_dem(&deep).unwrap_err().to_string();
    assert!(e.contains("line 257") && e.contains("256 levels"), "{e}");
    let ok = format!(
        "{}error(0.1) D0\n{}",
        "repeat 2 {\n".repeat(256),
        "}\n".repeat(256)
    );
    assert_eq!(parse_dem(&ok).unwrap().flatten().unwrap().errors.len(), 1);
}
