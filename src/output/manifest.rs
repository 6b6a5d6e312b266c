//! What the last build wrote into an output folder: for each file the hash
//! of the bytes it was made from, its size and modification time; for each
//! folder its modification time. With it a build with the output kept
//! neither reads every file back to compare nor walks the whole folder to
//! find files it did not make:
//!
//! * a file whose new bytes hash as recorded, and whose size and mtime on
//!   disk are still the recorded ones, is unchanged (one `stat`);
//! * a folder whose mtime is the recorded one has had no entry added,
//!   removed or renamed since, so it holds no stray file; only the other
//!   folders are listed.
//!
//! Anything that does not match (no record, another size or time, a
//! folder that changed) falls back to reading and listing, so a record
//! that is stale or lost costs time, never correctness.
//!
//! The record lives in the user's cache folder, keyed by the output
//! folder's canonical path, not in the output: two builds of the same site
//! still give byte-identical output folders, and the published site has
//! nothing of it. `CHARTER_CACHE_DIR` overrides where (tests use it).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

const BEGIN: &str = "charter output record 1\n";
const END: &str = "end\n";

/// A file as the last build left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// Hash of the bytes it was made from (for `X.gz`: of `X`).
    pub hash: u128,
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: u128,
}

/// The record of one output folder.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Relative, `/`-separated path → file.
    pub files: HashMap<String, Known>,
    /// Relative folder path (never the output folder itself) → mtime.
    pub dirs: HashMap<String, u128>,
}

pub fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Modification time in nanoseconds, if the file system gives one.
pub fn mtime(m: &fs::Metadata) -> Option<u128> {
    m.modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_nanos())
}

impl Manifest {
    /// Parses a record; `None` unless it is complete (a record cut short
    /// by a crash must not pass for one that lists everything).
    pub fn parse(bytes: &[u8], out: &Path) -> Option<Manifest> {
        let mut r = Reader(bytes);
        if r.take(BEGIN.len())? != BEGIN.as_bytes() || r.bytes()? != out_key(out).as_bytes() {
            return None;
        }
        let files = r.u64()? as usize;
        let mut m = Manifest::default();
        // (capped: a garbled count must not reserve memory it cannot fill)
        m.files.reserve(files.min(bytes.len() / 40));
        for _ in 0..files {
            let hash = r.u128()?;
            let size = r.u64()?;
            let mtime = r.u128()?;
            let path = std::str::from_utf8(r.bytes()?).ok()?;
            m.files
                .insert(path.to_string(), Known { hash, size, mtime });
        }
        let dirs = r.u64()? as usize;
        m.dirs.reserve(dirs.min(bytes.len() / 24));
        for _ in 0..dirs {
            let mtime = r.u128()?;
            let path = std::str::from_utf8(r.bytes()?).ok()?;
            m.dirs.insert(path.to_string(), mtime);
        }
        (r.take(END.len())? == END.as_bytes() && r.0.is_empty()).then_some(m)
    }

    /// The record as bytes, sorted by path (the same record, the same bytes).
    pub fn render(&self, out: &Path) -> Vec<u8> {
        let mut files: Vec<_> = self.files.iter().collect();
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut dirs: Vec<_> = self.dirs.iter().collect();
        dirs.sort_unstable();
        let mut b = Vec::with_capacity(files.len() * 80 + dirs.len() * 40);
        b.extend_from_slice(BEGIN.as_bytes());
        put_bytes(&mut b, out_key(out).as_bytes());
        b.extend_from_slice(&(files.len() as u64).to_le_bytes());
        for (p, k) in files {
            b.extend_from_slice(&k.hash.to_le_bytes());
            b.extend_from_slice(&k.size.to_le_bytes());
            b.extend_from_slice(&k.mtime.to_le_bytes());
            put_bytes(&mut b, p.as_bytes());
        }
        b.extend_from_slice(&(dirs.len() as u64).to_le_bytes());
        for (p, t) in dirs {
            b.extend_from_slice(&t.to_le_bytes());
            put_bytes(&mut b, p.as_bytes());
        }
        b.extend_from_slice(END.as_bytes());
        b
    }
}

fn out_key(out: &Path) -> String {
    out.to_string_lossy().into_owned()
}

fn put_bytes(b: &mut Vec<u8>, s: &[u8]) {
    b.extend_from_slice(&(s.len() as u64).to_le_bytes());
    b.extend_from_slice(s);
}

/// Reads a record front to back; `None` past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n)
    }
}

/// Where the record of the output folder `out` (canonical) is kept.
pub fn location(out: &Path) -> Option<PathBuf> {
    let base = match std::env::var_os("CHARTER_CACHE_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => match std::env::var_os("XDG_CACHE_HOME") {
            Some(d) if !d.is_empty() => PathBuf::from(d).join("charter"),
            _ => PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?)
                .join(".cache")
                .join("charter"),
        },
    };
    let key = xxhash_rust::xxh3::xxh3_64(out.to_string_lossy().as_bytes());
    Some(base.join("outputs").join(format!("{key:016x}")))
}

/// The record of `out`, if there is a complete one.
pub fn load(out: &Path) -> Option<Manifest> {
    let bytes = fs::read(location(out)?).ok()?;
    Manifest::parse(&bytes, out)
}

/// Saves the record of `out` (best effort: without it the next build only
/// takes longer). Written aside and renamed, so it is whole or absent.
pub fn save(out: &Path, m: &Manifest) {
    let Some(at) = location(out) else { return };
    let text = m.render(out);
    let old = fs::read(&at).ok();
    if old.as_deref() == Some(&text[..]) {
        return;
    }
    let Some(dir) = at.parent() else { return };
    if fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".{}.{}",
        at.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    if fs::write(&tmp, text).is_ok() && fs::rename(&tmp, &at).is_err() {
        let _ = fs::remove_file(&tmp);
    }
    // A new output folder is when records add up (a test suite or a CI
    // job that builds into temporary folders): then the others are looked at.
    if old.is_none() {
        prune(dir, &at);
    }
}

/// Removes from `dir` the records of output folders that are gone (no
/// folder, or no [`super::MARKER`] in it) and temporary files that a
/// crashed build left over an hour ago; never `keep`, and never a file
/// that does not start like a record of this version (another version's
/// records are its own to keep).
pub fn prune(dir: &Path, keep: &Path) {
    use std::io::Read;
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path == keep {
            continue;
        }
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 3600));
            if stale {
                let _ = fs::remove_file(&path);
            }
            continue;
        }
        // The head: the version line, then the output folder's path.
        let mut head = Vec::new();
        let limit = (BEGIN.len() + 8 + 8192) as u64;
        if fs::File::open(&path)
            .and_then(|f| f.take(limit).read_to_end(&mut head))
            .is_err()
        {
            continue;
        }
        let mut r = Reader(&head);
        if r.take(BEGIN.len()) != Some(BEGIN.as_bytes()) {
            continue;
        }
        let gone = match r.bytes().map(std::str::from_utf8) {
            Some(Ok(out)) => !Path::new(out).join(super::MARKER).is_file(),
            // Cut short or garbled: of no use to any build.
            _ => true,
        };
        if gone {
            let _ = fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_removes_records_of_folders_that_are_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let records = tmp.path().join("outputs");
        fs::create_dir_all(&records).unwrap();
        let folder = |name: &str, marker: bool| {
            let out = tmp.path().join(name);
            fs::create_dir_all(&out).unwrap();
            if marker {
                fs::write(out.join(crate::output::MARKER), "x").unwrap();
            }
            let rec = records.join(name);
            fs::write(&rec, Manifest::default().render(&out)).unwrap();
            (out, rec)
        };
        let (_, live) = folder("live", true);
        let (_, mine) = folder("mine", false);
        let (gone_out, gone) = folder("gone", true);
        fs::remove_dir_all(&gone_out).unwrap();
        let (_, foreign) = folder("foreign", false);
        let (_, no_marker) = folder("no-marker", false);
        fs::write(&foreign, b"charter output record 2\nwhatever").unwrap();
        let cut = records.join("cut");
        fs::write(&cut, BEGIN.as_bytes()).unwrap();
        let fresh_tmp = records.join(".live.123");
        fs::write(&fresh_tmp, "partial").unwrap();
        prune(&records, &mine);
        assert!(live.is_file(), "its folder is still there");
        assert!(mine.is_file(), "the record being written is kept");
        assert!(!gone.exists(), "its folder was removed");
        assert!(!no_marker.exists(), "its folder is not an output any more");
        assert!(foreign.is_file(), "another version's record is left alone");
        assert!(!cut.exists(), "a cut record is of no use");
        assert!(
            fresh_tmp.is_file(),
            "a recent temporary file may be a build's"
        );
    }

    #[test]
    fn round_trip_and_refuses_a_cut_record() {
        let out = Path::new("/srv/站点 out");
        let mut m = Manifest::default();
        m.files.insert(
            "a b/index.html".into(),
            Known {
                hash: u128::MAX - 7,
                size: 12,
                mtime: 1_700_000_000_123_456_789,
            },
        );
        m.files.insert(
            "odd\nname".into(),
            Known {
                hash: 1,
                size: 1,
                mtime: 1,
            },
        );
        m.dirs.insert("a b".into(), 42);
        let bytes = m.render(out);
        assert_eq!(Manifest::parse(&bytes, out).as_ref(), Some(&m));
        assert_eq!(m.clone().render(out), bytes, "sorted, stable bytes");
        // Cut short, for another folder, or with bytes after its end: no record.
        for n in 0..bytes.len() {
            assert!(Manifest::parse(&bytes[..n], out).is_none(), "cut at {n}");
        }
        assert!(Manifest::parse(&bytes, Path::new("/srv/other")).is_none());
        let mut longer = bytes.clone();
        longer.push(b'x');
        assert!(Manifest::parse(&longer, out).is_none());
    }
}
