//! Every reference dataset in `datasets/` regenerates byte for byte from the command recorded in
//! its `meta.json`.

use std::path::Path;

use assert_cmd::Command;

#[test]
fn reference_datasets_regenerate_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let meta_path = dir.join("meta.json");
        if !meta_path.exists() {
            continue;
        }
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
        let Some(command) = meta["command"].as_array() else {
            continue;
        };
        let args: Vec<&str> = command.iter().map(|a| a.as_str().unwrap()).collect();
        assert_eq!(args[0], "qecd", "{}", meta_path.display());
        let work = tempfile::tempdir().unwrap();
        Command::cargo_bin("qecd")
            .unwrap()
            .current_dir(work.path())
            .args(&args[1..])
            .assert()
            .success();
        for file in meta["files"].as_object().unwrap().keys() {
            let want = std::fs::read(dir.join(file)).unwrap();
            let got = std::fs::read(work.path().join(file)).unwrap();
            assert!(
                want == got,
                "{}: {file} differs when regenerated",
                dir.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 2,
        "expected at least two reference datasets, found {checked}"
    );
}
