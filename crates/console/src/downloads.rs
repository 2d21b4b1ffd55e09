//! Files the desktop saves for the user (exports): into the downloads folder, else the home
//! folder, under a name with the time in it.

use crate::error::{ConsoleError, ConsoleResult};
use std::path::PathBuf;

/// Writes `text` as `<stem>-<time>.<extension>` in the user's downloads folder (else home);
/// gives the path.
pub(crate) fn save_to_downloads(stem: &str, extension: &str, text: &str) -> ConsoleResult<PathBuf> {
    let path = downloads_path(stem, extension)?;
    std::fs::write(&path, text)
        .map_err(|e| ConsoleError::Internal(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// Where `<stem>-<time>.<extension>` goes in the user's downloads folder (else home), the
/// folder made if needed; for exports written as they stream.
pub(crate) fn downloads_path(stem: &str, extension: &str) -> ConsoleResult<PathBuf> {
    let dirs = directories::UserDirs::new().ok_or_else(|| {
        ConsoleError::Internal("no home folder is known to save the export in".into())
    })?;
    let folder = dirs
        .download_dir()
        .unwrap_or_else(|| dirs.home_dir())
        .to_owned();
    let stamp = crate::journal::iso_time(crate::now() * 1000)[..19].replace([':', '-'], "");
    let path = folder.join(format!("{stem}-{stamp}.{extension}"));
    std::fs::create_dir_all(&folder)
        .map_err(|e| ConsoleError::Internal(format!("cannot write {}: {e}", folder.display())))?;
    Ok(path)
}
