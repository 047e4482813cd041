//! The CLI's exports read a run tree and write only where they are told (the window's part of
//! the same rule: the app crate's browse tests).

mod common;

use unisandbox_testkit::snapshot_tree;

#[test]
fn exports_leave_the_run_folder_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    unisandbox_demo::write_demo(dir.path(), 7).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let before = snapshot_tree(dir.path());
    for format in ["html", "csv", "latex"] {
        let out = elsewhere.path().join(format!("export.{format}"));
        let status = common::bin()
            .arg("export")
            .arg(dir.path())
            .args(["--format", format, "--out"])
            .arg(&out)
            .arg("--annotations")
            .arg(elsewhere.path().join("annotations.sqlite"))
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
        assert!(out.exists(), "{format} export written where told");
    }
    let after = snapshot_tree(dir.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "no file added or removed"
    );
    assert!(before == after, "every file byte-identical");
}
