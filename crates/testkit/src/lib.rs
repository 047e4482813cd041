//! Helpers shared by the tests (and benches) of more than one crate. Helpers of one crate's tests
//! live in that crate's `tests/common/mod.rs`.

#[cfg(feature = "s3")]
pub mod s3_server;

use std::path::Path;

/// Appends `text` to the file at `path` and syncs it, as a running eval appends rows.
pub fn append(path: &Path, text: &str) {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap_or_else(|err| panic!("cannot append to {}: {err}", path.display()));
    file.write_all(text.as_bytes()).unwrap();
    file.sync_all().unwrap();
}

/// A CSV's header and records, each re-serialized the way Python's DictWriter writes it (CRLF,
/// minimal quoting): the pieces to rewrite or append a results CSV as a running eval does.
pub fn csv_rows(path: &Path) -> (String, Vec<String>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    let mut rows = reader.byte_records().map(|record| {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer.write_byte_record(&record.unwrap()).unwrap();
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    });
    let header = rows.next().unwrap();
    (header, rows.collect())
}

/// Every file under `root` with its bytes: compared before and after, it shows that nothing
/// was written into a run folder.
pub fn snapshot_tree(root: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// xorshift64: seeded, repeatable randomness for fuzzing and kill times without a dependency.
pub struct Xorshift(pub u64);

impl Xorshift {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}
