//! The fonts PDFs are set in: the IPAex fonts (Debian's fonts-ipaexfont-mincho and -gothic), found
//! in `TODOKE_FONT_DIR` (folders separated by `:`) or the system's font folders.

use crate::AppError;
use std::path::{Path, PathBuf};
use todoke_docs::Fonts;

/// The font files documents need, with the Debian package of each.
const WANTED: [(&str, &str); 2] = [("ipaexm.ttf", "fonts-ipaexfont-mincho"), ("ipaexg.ttf", "fonts-ipaexfont-gothic")];

/// Loads the IPAex fonts, or says which file is missing and which package brings it.
pub fn system_fonts() -> Result<Fonts, AppError> {
    let dirs: Vec<PathBuf> = match std::env::var_os("TODOKE_FONT_DIR") {
        Some(v) => std::env::split_paths(&v).collect(),
        None => {
            let mut d = vec![PathBuf::from("/usr/share/fonts"), PathBuf::from("/usr/local/share/fonts")];
            if let Some(home) = std::env::var_os("HOME") {
                d.push(Path::new(&home).join(".local/share/fonts"));
                d.push(Path::new(&home).join(".fonts"));
            }
            d
        }
    };
    let mut files = Vec::new();
    for (file, package) in WANTED {
        let found = dirs.iter().find_map(|d| find_file(d, file, 4)).ok_or_else(|| {
            AppError::Invalid(format!(
                "fonts: {file} not found (Debian package {package}; apt-get install fonts-ipaexfont-mincho \
                 fonts-ipaexfont-gothic)"
            ))
        })?;
        let bytes = std::fs::read(&found).map_err(|e| AppError::Invalid(format!("fonts: {}: {e}", found.display())))?;
        files.push((found.display().to_string(), bytes));
    }
    Fonts::new(files).map_err(|e| AppError::Invalid(format!("fonts: {e}")))
}

/// `dir/name`, or the first match in its subfolders down to `depth` levels, in name order.
fn find_file(dir: &Path, name: &str, depth: u32) -> Option<PathBuf> {
    let candidate = dir.join(name);
    if candidate.is_file() {
        return Some(candidate);
    }
    if depth == 0 {
        return None;
    }
    let mut subdirs: Vec<PathBuf> =
        std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    subdirs.sort();
    subdirs.iter().find_map(|d| find_file(d, name, depth - 1))
}
