//! The Leefbaarometer's open-data release as it is downloaded (`lbm-tiler build --open-data`):
//! zips or folders, nested folders and names with spaces allowed, whose files are found by
//! their names: the grid scores (`Leefbaarometer-scores grids 2002-2024.csv`), the area scores
//! (`... buurten ...`, `wijken`, `gemeenten`, `PC4`) and the boundaries (`buurt 2024.gpkg`,
//! `wijk`, `gemeente`, `PC4`). The CSVs' separator and decimal mark are sniffed by the readers.

use rayon::prelude::*;

use std::path::{Path, PathBuf};

use crate::error::{Result, TilerError};
use crate::input::spreadsheet;

/// What a release holds, found by name.
#[derive(Debug, Default)]
pub struct Release {
    /// The grid scores CSV.
    pub scores: Option<PathBuf>,
    /// The area scores CSVs (buurten, wijken, gemeenten, PC4).
    pub area_scores: Vec<PathBuf>,
    /// The boundary files (buurt, wijk, gemeente, PC4), one per level and year as published.
    pub areas: Vec<PathBuf>,
    /// Development files (`ontwikkeling`): compared with the change maps, which come from the
    /// scores.
    pub development: Vec<PathBuf>,
    /// The grid GeoPackage (`grid 2024.gpkg`): resolves grid ids that are not `E…N…`.
    pub grid_geometry: Option<PathBuf>,
    /// Every other file of the release, with why it is not read.
    pub skipped: Vec<(PathBuf, String)>,
    /// The release's name, for the attribution: the folder (or zip) the grid scores came from.
    pub name: Option<String>,
    /// Where zips were unpacked (removed when the release is dropped).
    unpacked: Vec<tempfile::TempDir>,
}

/// The levels of area files by the words their names hold (lower case).
const LEVEL_WORDS: [&str; 4] = ["buurt", "wijk", "gemeente", "pc4"];

impl Release {
    /// Finds the files of the releases at `paths` (zips or folders).
    pub fn find(paths: &[PathBuf]) -> Result<Self> {
        let mut release = Release::default();
        // The zips unpacked side by side (each is one thread's inflate), then taken in order.
        let unpacked: Vec<Option<Result<tempfile::TempDir>>> = paths
            .par_iter()
            .map(|path| is_zip(path).then(|| unzip(path)))
            .collect();
        for (path, unpacked) in paths.iter().zip(unpacked) {
            let root = if let Some(dir) = unpacked {
                let dir = dir?;
                let root = dir.path().to_path_buf();
                release.unpacked.push(dir);
                root
            } else if path.is_dir() {
                path.clone()
            } else {
                return Err(TilerError::OpenData {
                    path: path.clone(),
                    message: "not a zip file or a folder; expected the open-data download \
                              (e.g. open-data-leefbaarometer-meting-2024.zip) or its unpacked folder"
                        .into(),
                });
            };
            let mut files = Vec::new();
            walk(&root, &mut files).map_err(|e| TilerError::io(&root, e))?;
            files.sort();
            for file in &files {
                release.classify(file, path, &files)?;
            }
        }
        Ok(release)
    }

    /// Files `file` (found under `given`, among `all` the files there) by its name.
    fn classify(&mut self, file: &Path, given: &Path, all: &[PathBuf]) -> Result<()> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let level_word = LEVEL_WORDS.iter().find(|w| name.contains(*w));
        // A table as CSV or as a spreadsheet; a spreadsheet beside the CSV of the same name
        // is the same table twice, and the CSV is read.
        let table = match ext.as_str() {
            "csv" => true,
            _ if spreadsheet::is_spreadsheet(file) => {
                let csv = file.with_extension("csv");
                let stem = file.with_extension("");
                let twin = all.iter().any(|f| {
                    f.with_extension("") == stem
                        && f.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
                });
                if twin {
                    let why = format!("the same table as {}, which is read", display_name(&csv));
                    self.skipped.push((file.to_path_buf(), why));
                    return Ok(());
                }
                true
            }
            _ => false,
        };
        match ext.as_str() {
            _ if table && name.contains("ontwikkeling") => {
                self.development.push(file.to_path_buf())
            }
            _ if table && name.contains("grid") => {
                if let Some(first) = &self.scores {
                    return Err(TilerError::OpenData {
                        path: given.to_path_buf(),
                        message: format!(
                            "two grid scores files: {} and {}; give one release",
                            first.display(),
                            file.display()
                        ),
                    });
                }
                self.scores = Some(file.to_path_buf());
                self.name = file
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with(".tmp"))
                    .or_else(|| given.file_stem().map(|s| s.to_string_lossy().into_owned()));
            }
            _ if table && level_word.is_some() && name.contains("score") => {
                self.area_scores.push(file.to_path_buf())
            }
            "gpkg" if name.contains("grid") => {
                if let Some(first) = &self.grid_geometry {
                    return Err(TilerError::OpenData {
                        path: given.to_path_buf(),
                        message: format!(
                            "two grid geometry files: {} and {}; give one release",
                            first.display(),
                            file.display()
                        ),
                    });
                }
                self.grid_geometry = Some(file.to_path_buf());
            }
            "gpkg" | "geojson" | "fgb" if level_word.is_some() => {
                self.areas.push(file.to_path_buf())
            }
            _ => {
                let why = if table {
                    "a table whose name says neither \"grid\" nor a level with \"score\" \
                     (buurt, wijk, gemeente, PC4)"
                } else {
                    "not a score table or a boundary file of a level"
                };
                self.skipped.push((file.to_path_buf(), why.to_string()));
            }
        }
        Ok(())
    }

    /// Adds what the release holds to the build options `o`: its area scores and boundary
    /// files after those given one by one, its grid GeoPackage unless one was given, and its
    /// name in the attribution (Dutch too, unless one was given). `o.scores` is left to the
    /// caller (see [`Release::scores`]).
    pub fn apply(&self, o: &mut crate::BuildOptions) {
        o.areas.extend(self.areas.iter().cloned());
        o.area_scores.extend(self.area_scores.iter().cloned());
        o.development.extend(self.development.iter().cloned());
        if o.grid_geometry.is_none() {
            o.grid_geometry = self.grid_geometry.clone();
        }
        if let Some(name) = &self.name {
            let text = format!("Leefbaarometer open data ({name}), leefbaarometer.nl");
            o.attribution_nl.get_or_insert_with(|| text.clone());
            o.attribution = text;
        }
    }

    /// The grid scores file, or an error naming what was looked for and what was found.
    pub fn scores(&self, paths: &[PathBuf]) -> Result<&Path> {
        self.scores.as_deref().ok_or_else(|| TilerError::OpenData {
            path: paths.first().cloned().unwrap_or_default(),
            message: format!(
                "no grid scores file: expected a CSV or spreadsheet whose name holds \"grid\", such as \
                 \"Leefbaarometer-scores grids 2002-2024.csv\"{}",
                if self.area_scores.is_empty() && self.areas.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (found {} area scores and {} boundary files)",
                        self.area_scores.len(),
                        self.areas.len()
                    )
                }
            ),
        })
    }
}

/// The file name of `path`, for messages.
fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_zip(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("zip"))
}

/// Unpacks a zip into a temporary folder (removed when dropped), refusing entries that would
/// land outside it.
fn unzip(path: &Path) -> Result<tempfile::TempDir> {
    let bad = |message: String| TilerError::OpenData {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| TilerError::io(path, e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| bad(format!("not a readable zip file: {e}")))?;
    let dir = tempfile::Builder::new()
        .prefix(".lbm-open-data-")
        .tempdir()
        .map_err(|e| TilerError::io(path, e))?;
    zip.extract(dir.path())
        .map_err(|e| bad(format!("cannot unpack: {e}")))?;
    Ok(dir)
}

/// Every file under `dir`, into `out`.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_found_by_their_names_in_nested_folders() {
        let dir = tempfile::tempdir().unwrap();
        let release = dir
            .path()
            .join("Leefbaarometer 3.0 - Meting 2024 - open data");
        let geometry = dir.path().join("geometrie-lbm3-2024/geometrie-lbm3-2024");
        std::fs::create_dir_all(&release).unwrap();
        std::fs::create_dir_all(&geometry).unwrap();
        for f in [
            "Leefbaarometer-scores grids 2002-2024.csv",
            "Leefbaarometer-scores buurten 2002-2024.csv",
            "Leefbaarometer-scores PC4 2002-2024.csv",
            "Leefbaarometer-ontwikkeling PC4 2002-2024.csv",
            "Leefbaarometer-scores gemeenten 2002-2024.xlsx",
            "Leefbaarometer-scores buurten 2002-2024.xlsx",
            "readme.txt",
        ] {
            std::fs::write(release.join(f), "").unwrap();
        }
        for f in ["buurt 2024.gpkg", "PC4 2024.gpkg", "grid 2024.gpkg"] {
            std::fs::write(geometry.join(f), "").unwrap();
        }
        let paths = vec![dir.path().to_path_buf()];
        let r = Release::find(&paths).unwrap();
        let names = |v: &[PathBuf]| -> Vec<String> {
            v.iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert!(r
            .scores(&paths)
            .unwrap()
            .ends_with("Leefbaarometer-scores grids 2002-2024.csv"));
        assert_eq!(
            r.name.as_deref(),
            Some("Leefbaarometer 3.0 - Meting 2024 - open data")
        );
        assert_eq!(
            names(&r.area_scores),
            [
                "Leefbaarometer-scores PC4 2002-2024.csv",
                "Leefbaarometer-scores buurten 2002-2024.csv",
                "Leefbaarometer-scores gemeenten 2002-2024.xlsx"
            ]
        );
        assert_eq!(names(&r.areas), ["PC4 2024.gpkg", "buurt 2024.gpkg"]);
        assert!(r
            .grid_geometry
            .as_ref()
            .unwrap()
            .ends_with("grid 2024.gpkg"));
        assert_eq!(names(&r.development).len(), 1);
        // The spreadsheet twin of a CSV, and a file that is no table of the release, are named
        // with why they are not read.
        let skipped: Vec<(String, &str)> = r
            .skipped
            .iter()
            .map(|(p, why)| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    why.as_str(),
                )
            })
            .collect();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(
            skipped[0].0.ends_with("buurten 2002-2024.xlsx")
                && skipped[0].1.contains("which is read")
        );
        assert_eq!(skipped[1].0, "readme.txt");
        // Without a grid scores file: an error that says what was looked for.
        std::fs::remove_file(release.join("Leefbaarometer-scores grids 2002-2024.csv")).unwrap();
        let r = Release::find(&paths).unwrap();
        let e = r.scores(&paths).unwrap_err().to_string();
        assert!(
            e.contains("no grid scores file") && e.contains("3 area scores"),
            "{e}"
        );
        // Neither a zip nor a folder.
        let e = Release::find(&[dir.path().join("missing.zip")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a zip file or a folder"), "{e}");
    }
}
