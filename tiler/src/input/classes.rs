//! Classification of scores into the 9 Leefbaarometer classes: cut points, labels and colours.
//!
//! The classification is configuration, never code: it is read from a TOML or JSON file (by
//! extension), and the default ships as `tiler/data/classes.toml` (provisional cut points).
//! What a class is, and the rules every classification must follow, are the contract's
//! (`lbm_tileset::classification`); this module is the file format: defaults, per-measure and
//! change sections, and the file position of every mistake. It is longer than most because
//! those positions are worked out for each kind of mistake, next to where it is found.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use lbm_tileset::classification::{
    check_cuts, is_hex_colour, ClassEntry, Classification, ClassificationError, NoData,
};
use lbm_tileset::{Kind, Measure};

use crate::error::{Result, TilerError};

/// The default classification file, embedded at compile time.
pub const DEFAULT_CLASSES_TOML: &str = include_str!("../../data/classes.toml");

/// Label and colour of one class (as written in the file, without its number).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassStyle {
    /// Dutch label, e.g. `zeer onvoldoende`.
    pub label_nl: String,
    /// English label, e.g. `very insufficient`.
    pub label_en: String,
    /// `#rrggbb`.
    pub color: String,
}

/// The classifications of a classification file: every measure's score classification and its
/// change classification.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationSet {
    /// Where it was read from (`<default>` for the embedded one).
    pub source: PathBuf,
    /// Per measure, in the order of [`Measure::ALL`] (measures absent from the file are absent).
    pub measures: Vec<Classification>,
    /// The change classification per measure (the file's `[change]` section, or the embedded
    /// default's when the file has none), same order as `measures`.
    pub changes: Vec<Classification>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    cuts: Option<Vec<f64>>,
    classes: Option<Vec<ClassStyle>>,
    no_data: Option<ClassStyle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    name_nl: Option<String>,
    name_en: Option<String>,
    basis: Option<String>,
    cuts: Option<Vec<f64>>,
    classes: Option<Vec<ClassStyle>>,
    no_data: Option<ClassStyle>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawChange {
    cuts: Option<Vec<f64>>,
    classes: Option<Vec<ClassStyle>>,
    no_data: Option<ClassStyle>,
    #[serde(default)]
    measures: BTreeMap<String, RawDefaults>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    defaults: RawDefaults,
    measures: BTreeMap<String, RawMeasure>,
    change: Option<RawChange>,
}

impl Default for ClassificationSet {
    fn default() -> Self {
        Self::embedded()
    }
}

impl ClassificationSet {
    /// The embedded default (`tiler/data/classes.toml`).
    pub fn embedded() -> Self {
        Self::parse(
            DEFAULT_CLASSES_TOML,
            Path::new("<default classes.toml>"),
            false,
        )
        .expect("the embedded classification is valid (checked by a unit test)")
    }

    /// Reads a classification file: JSON when the extension is `.json`, TOML otherwise.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| TilerError::io(path, e))?;
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        Self::parse(&text, path, json)
    }

    /// Parses classification text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path, json: bool) -> Result<Self> {
        let file = ClassesFile { text, path, json };
        let raw = file.raw()?;
        if let Some(cuts) = &raw.defaults.cuts {
            // Defaults with another count are caught per measure, with the measure named.
            if cuts.len() == 8 {
                check_cuts_at(text, path, "defaults", &["defaults", "cuts"], cuts, false)?;
            }
        }
        let mut out = raw
            .measures
            .iter()
            .map(|(name, m)| file.measure(name, m, &raw.defaults))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|m| Measure::rank(&m.measure));
        let changes = match &raw.change {
            Some(change) => parse_change(text, path, change, &out)?,
            None => {
                // A file without a [change] section gets the embedded change classes.
                let embedded = Self::embedded();
                out.iter()
                    .filter_map(|m| {
                        let mut c = embedded.change(&m.measure)?.clone();
                        c.name_nl.clone_from(&m.name_nl);
                        c.name_en.clone_from(&m.name_en);
                        Some(c)
                    })
                    .collect()
            }
        };
        Ok(ClassificationSet {
            source: path.to_path_buf(),
            measures: out,
            changes,
        })
    }

    /// The change classification of one measure.
    pub fn change(&self, measure: &str) -> Option<&Classification> {
        self.changes.iter().find(|m| m.measure == measure)
    }

    /// The classification of one measure.
    pub fn get(&self, measure: &str) -> Option<&Classification> {
        self.measures.iter().find(|m| m.measure == measure)
    }
}

/// A classification file's text being read: where its errors point.
struct ClassesFile<'a> {
    text: &'a str,
    path: &'a Path,
    json: bool,
}

impl ClassesFile<'_> {
    /// The file as its sections and keys, or the parser's error at its line and column.
    fn raw(&self) -> Result<RawFile> {
        let (text, path) = (self.text, self.path);
        if self.json {
            serde_json::from_str(text).map_err(|e| TilerError::BadClassification {
                path: path.to_path_buf(),
                line: e.line() as u64,
                column: e.column(),
                message: e.to_string(),
            })
        } else {
            toml::from_str(text).map_err(|e| {
                let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
                TilerError::BadClassification {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: e.message().to_string(),
                }
            })
        }
    }

    /// How the section of measure `m` is written in this file.
    fn section(&self, m: &str) -> String {
        if self.json {
            format!("\"{m}\"")
        } else {
            format!("measures.{m}")
        }
    }

    /// An error at the first place the `needles` are found in turn.
    fn bad(&self, needles: &[&str], message: String) -> TilerError {
        let (line, column) = locate(self.text, needles);
        TilerError::BadClassification {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
        }
    }

    /// The classification of measure `name` from its section and the defaults.
    fn measure(
        &self,
        name: &str,
        m: &RawMeasure,
        defaults: &RawDefaults,
    ) -> Result<Classification> {
        let sec = self.section(name);
        if name.parse::<Measure>().is_err() {
            let (line, column) = locate(self.text, &[&sec]);
            return Err(TilerError::UnknownMeasure {
                path: self.path.to_path_buf(),
                line,
                column,
                name: name.to_string(),
            });
        }
        let cuts = m
            .cuts
            .clone()
            .or_else(|| defaults.cuts.clone())
            .ok_or_else(|| {
                self.bad(
                    &[&sec],
                    format!("measure {name}: no cuts and no default cuts; expected 8 cut points"),
                )
            })?;
        if cuts.len() != 8 {
            return Err(self.bad(
                &[&sec, "cuts"],
                format!(
                    "measure {name}: {} cut points; expected 8 (for 9 classes)",
                    cuts.len()
                ),
            ));
        }
        check_cuts_at(self.text, self.path, name, &[&sec, "cuts"], &cuts, false)?;
        let classes = m
            .classes
            .clone()
            .or_else(|| defaults.classes.clone())
            .ok_or_else(|| {
                self.bad(
                    &[&sec],
                    format!("measure {name}: no classes and no default classes; expected 9"),
                )
            })?;
        if classes.len() != 9 {
            return Err(self.bad(
                &[&sec, "classes"],
                format!("measure {name}: {} classes; expected 9", classes.len()),
            ));
        }
        let no_data = m
            .no_data
            .clone()
            .or_else(|| defaults.no_data.clone())
            .map(no_data_of)
            .unwrap_or_default();
        for colour in classes.iter().map(|c| &c.color).chain([&no_data.color]) {
            if !is_hex_colour(colour) {
                return Err(self.bad(
                    &[colour],
                    format!("measure {name}: colour {colour:?} is not #rrggbb"),
                ));
            }
        }
        let basis = m.basis.clone().unwrap_or_else(|| name.to_string());
        if basis != name && basis != "afw" {
            return Err(self.bad(
                &[&sec, "basis"],
                format!("measure {name}: basis {basis:?}; expected {name:?} or \"afw\""),
            ));
        }
        Ok(Classification {
            measure: name.to_string(),
            kind: None,
            name_nl: m.name_nl.clone().unwrap_or_else(|| name.to_string()),
            name_en: m.name_en.clone().unwrap_or_else(|| name.to_string()),
            basis,
            cuts,
            classes: numbered(classes),
            no_data,
        })
    }
}

/// The change classifications for the measures of `scores` from a `[change]` section.
fn parse_change(
    text: &str,
    path: &Path,
    change: &RawChange,
    scores: &[Classification],
) -> Result<Vec<Classification>> {
    let bad = |needles: &[&str], message: String| {
        let (line, column) = locate(text, needles);
        TilerError::BadClassification {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    if let Some(name) = change
        .measures
        .keys()
        .find(|n| n.parse::<Measure>().is_err())
    {
        let (line, column) = locate(text, &["change", name]);
        return Err(TilerError::UnknownMeasure {
            path: path.to_path_buf(),
            line,
            column,
            name: name.clone(),
        });
    }
    let mut out = Vec::new();
    for m in scores {
        let name = &m.measure;
        let own = change.measures.get(name);
        let cuts = own
            .and_then(|o| o.cuts.clone())
            .or_else(|| change.cuts.clone())
            .ok_or_else(|| {
                bad(
                    &["change"],
                    format!("change of {name}: no cuts; expected 8 cut points in [change]"),
                )
            })?;
        if cuts.len() != 8 {
            return Err(bad(
                &["change", "cuts"],
                format!(
                    "change of {name}: {} cut points; expected 8 (for 9 classes)",
                    cuts.len()
                ),
            ));
        }
        check_cuts_at(
            text,
            path,
            &format!("change of {name}"),
            &["change", "cuts"],
            &cuts,
            true,
        )?;
        let classes = own
            .and_then(|o| o.classes.clone())
            .or_else(|| change.classes.clone())
            .ok_or_else(|| {
                bad(
                    &["change"],
                    format!("change of {name}: no classes; expected 9 in [change]"),
                )
            })?;
        if classes.len() != 9 {
            return Err(bad(
                &["change", "classes"],
                format!("change of {name}: {} classes; expected 9", classes.len()),
            ));
        }
        let no_data = own
            .and_then(|o| o.no_data.clone())
            .or_else(|| change.no_data.clone())
            .map(no_data_of)
            .unwrap_or_else(|| m.no_data.clone());
        for colour in classes.iter().map(|c| &c.color).chain([&no_data.color]) {
            if !is_hex_colour(colour) {
                return Err(bad(
                    &[colour],
                    format!("change of {name}: colour {colour:?} is not #rrggbb"),
                ));
            }
        }
        out.push(Classification {
            measure: name.clone(),
            kind: Some(Kind::Change),
            name_nl: m.name_nl.clone(),
            name_en: m.name_en.clone(),
            // A change map classifies the change of the published score itself (for the total
            // score lbm(to) - lbm(from), not the change of afw).
            basis: name.clone(),
            cuts,
            classes: numbered(classes),
            no_data,
        });
    }
    Ok(out)
}

/// Checks cut points with the contract's rules ([`check_cuts`]; `change` adds the rule that the
/// middle class holds zero), naming the file position of `needles` in an error.
fn check_cuts_at(
    text: &str,
    path: &Path,
    measure: &str,
    needles: &[&str],
    cuts: &[f64],
    change: bool,
) -> Result<()> {
    let (line, column) = locate(text, needles);
    match check_cuts(cuts, change) {
        Ok(()) => Ok(()),
        Err(ClassificationError::NotIncreasing { index, a, b }) => {
            Err(TilerError::CutsNotIncreasing {
                path: path.to_path_buf(),
                line,
                column,
                measure: measure.to_string(),
                index,
                a,
                b,
            })
        }
        Err(e) => Err(TilerError::BadClassification {
            path: path.to_path_buf(),
            line,
            column,
            message: if measure.starts_with("change") {
                format!("{measure}: {e}")
            } else {
                format!("measure {measure}: {e}")
            },
        }),
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (u64, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Position of the last of `needles`, each searched after the previous one (outside comments
/// in the simple sense: the first occurrence). (0, 0) when a needle is not found.
fn locate(text: &str, needles: &[&str]) -> (u64, usize) {
    let mut pos = 0;
    for n in needles {
        match text[pos..].find(n) {
            Some(i) => pos += i,
            None => return (0, 0),
        }
    }
    line_col(text, pos)
}

/// The no-data entry of a file's style.
fn no_data_of(s: ClassStyle) -> NoData {
    NoData {
        label_nl: s.label_nl,
        label_en: s.label_en,
        color: s.color,
    }
}

/// The 9 class styles of a file, numbered 1..9 in their order.
fn numbered(classes: Vec<ClassStyle>) -> Vec<ClassEntry> {
    classes
        .into_iter()
        .zip(1u8..)
        .map(|(c, class)| ClassEntry {
            class,
            label_nl: c.label_nl,
            label_en: c.label_en,
            color: c.color,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_is_valid_and_complete() {
        let c = ClassificationSet::embedded();
        let names: Vec<&str> = c.measures.iter().map(|m| m.measure.as_str()).collect();
        let all: Vec<&str> = Measure::ALL.iter().map(|m| m.id()).collect();
        assert_eq!(names, all);
        let lbm = c.get("lbm").unwrap();
        assert_eq!(lbm.basis, "afw");
        assert_eq!(lbm.basis_column(), Some(lbm_tileset::Column::Afw));
        assert_eq!(
            c.get("fys").unwrap().basis_column(),
            Some(lbm_tileset::Column::Fys)
        );
        for m in c.measures.iter().chain(&c.changes) {
            m.check().unwrap();
        }
        assert_eq!(lbm.classes[0].label_nl, "zeer onvoldoende");
        assert_eq!(lbm.classes[8].label_nl, "uitstekend");
        let json: serde_json::Value =
            serde_json::from_str(&c.get("fys").unwrap().to_json()).unwrap();
        assert_eq!(json["measure"], "fys");
        assert_eq!(json["classes"][0]["class"], 1);
        assert_eq!(json["no_data"]["color"], "#bdbdbd");
        assert!(
            json.get("kind").is_none(),
            "score classifications carry no kind"
        );
        let ch = c.change("fys").unwrap();
        assert_eq!(ch.kind, Some(Kind::Change));
        assert_eq!(ch.classes[0].label_nl, "sterke achteruitgang");
        assert_eq!(ch.classes[4].label_nl, "geen verandering");
        assert_eq!(ch.classes[8].label_nl, "sterke vooruitgang");
        assert_eq!(
            (ch.classify(-0.011), ch.classify(0.0), ch.classify(0.2)),
            (Some(4), Some(5), Some(9))
        );
        assert_eq!(
            c.change("lbm").unwrap().basis,
            "lbm",
            "a change map classifies lbm(to) - lbm(from)"
        );
        assert_ne!(
            c.change("lbm").unwrap().cuts,
            ch.cuts,
            "lbm overrides the cuts"
        );
        let json: serde_json::Value = serde_json::from_str(&ch.to_json()).unwrap();
        assert_eq!(json["kind"], "change");
    }

    /// The points observed on the official maps (../shared/README.md) land in the stated class.
    #[test]
    fn observed_points_land_in_their_class() {
        let c = ClassificationSet::embedded();
        for m in ["fys", "onv", "soc", "vrz", "won"] {
            let m = c.get(m).unwrap();
            for (v, class) in [
                (0.001, 5),
                (0.034, 5),
                (0.032, 5),
                (-0.011, 5),
                (-0.031, 5),
                (-0.058, 4),
                (-0.084, 3),
                (-0.114, 3),
                (0.31, 9),
                (0.63, 9),
            ] {
                assert_eq!(m.classify(v), Some(class), "{} {v}", m.measure);
            }
        }
        let lbm = c.get("lbm").unwrap();
        for v in [0.189, 0.21, 0.52] {
            assert_eq!(lbm.classify(v), Some(9), "afw {v}");
        }
    }

    /// A change section whose middle class does not hold zero would put rises in decline
    /// classes: refused with the file position.
    #[test]
    fn change_cuts_must_hold_zero_in_the_middle_class() {
        let bad = DEFAULT_CLASSES_TOML.replace(
            "cuts = [-0.10, -0.06, -0.03, -0.01, 0.01, 0.03, 0.06, 0.10]",
            "cuts = [-0.10, -0.06, -0.03, 0.01, 0.02, 0.03, 0.06, 0.10]",
        );
        assert_ne!(bad, DEFAULT_CLASSES_TOML);
        let e = ClassificationSet::parse(&bad, Path::new("x.toml"), false)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("x.toml: line") && e.contains("a rise is never in a decline class"),
            "{e}"
        );
    }

    #[test]
    fn json_and_errors_with_positions() {
        let json = r##"{"defaults":{"cuts":[1,2,3,4,5,6,7,8],
 "classes":[{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"}]},
 "measures":{"fys":{}}}"##;
        let c = ClassificationSet::parse(json, Path::new("c.json"), true).unwrap();
        assert_eq!(c.get("fys").unwrap().classify(4.5), Some(5));
        let bad = json.replace("{\"fys\":{}}", "{\"fys\":{},\n \"fyz\":{}}");
        let e = ClassificationSet::parse(&bad, Path::new("c.json"), true).unwrap_err();
        assert!(
            matches!(
                e,
                TilerError::UnknownMeasure {
                    line: 4,
                    column: 2,
                    ..
                }
            ),
            "{e}"
        );
        let toml_bad = DEFAULT_CLASSES_TOML.replace(
            "cuts = [-0.30, -0.20, -0.12, -0.05, 0.05, 0.10, 0.15, 0.18]",
            "cuts = [-0.30, -0.20, -0.12, -0.05, 0.05, 0.10, 0.18, 0.15]",
        );
        let e = ClassificationSet::parse(&toml_bad, Path::new("x.toml"), false).unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(e, TilerError::CutsNotIncreasing { index: 7, .. }),
            "{msg}"
        );
        assert!(msg.starts_with("x.toml: line 32, column 1:"), "{msg}");
        let e =
            ClassificationSet::parse("[measures.fys\n", Path::new("y.toml"), false).unwrap_err();
        assert!(e.to_string().starts_with("y.toml: line 1, column"), "{e}");
    }

    // Colour-blind safety check.
    //
    // Each class colour is converted to linear RGB, passed through the Machado, Oliveira &
    // Fernandes (2009) simulation matrices for protanopia, deuteranopia and tritanopia at
    // severity 1.0, clamped, converted to CIE L*a*b* (D65) and compared pairwise with CIE76 ΔE.
    // Every pair of the 9 classes (not only neighbours) must stay at least MIN_DELTA_E apart
    // under normal vision and each simulation. The palette reaches this by monotonic lightness
    // on each side of the neutral class 5 (dark red → orange → pale yellow, pale green → teal →
    // dark blue-green), so the two ends also differ on the blue-yellow axis.
    const MIN_DELTA_E: f64 = 9.0;

    const MACHADO: [(&str, [[f64; 3]; 3]); 4] = [
        (
            "normal",
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        ),
        (
            "protanopia",
            [
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ],
        ),
        (
            "deuteranopia",
            [
                [0.367322, 0.860646, -0.227968],
                [0.280085, 0.672501, 0.047413],
                [-0.011820, 0.042940, 0.968881],
            ],
        ),
        (
            "tritanopia",
            [
                [1.255528, -0.076749, -0.178779],
                [-0.078411, 0.930809, 0.147602],
                [0.004733, 0.691367, 0.303900],
            ],
        ),
    ];

    fn srgb_to_linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    fn linear_to_lab(rgb: [f64; 3]) -> [f64; 3] {
        let [r, g, b] = rgb;
        let x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
        let z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
        let f = |t: f64| {
            if t > 216.0 / 24389.0 {
                t.cbrt()
            } else {
                (24389.0 / 27.0 * t + 16.0) / 116.0
            }
        };
        let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    fn simulate(hex: &str, m: &[[f64; 3]; 3]) -> [f64; 3] {
        let ch = |i: usize| srgb_to_linear(u8::from_str_radix(&hex[i..i + 2], 16).unwrap());
        let lin = [ch(1), ch(3), ch(5)];
        let mut out = [0.0; 3];
        for (o, row) in out.iter_mut().zip(m) {
            *o = (row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2]).clamp(0.0, 1.0);
        }
        linear_to_lab(out)
    }

    #[test]
    fn palette_is_colour_blind_safe() {
        let c = ClassificationSet::embedded();
        assert_eq!(c.changes.len(), 6);
        for m in c.measures.iter().chain(&c.changes) {
            for (name, matrix) in &MACHADO {
                let labs: Vec<[f64; 3]> = m
                    .classes
                    .iter()
                    .map(|k| simulate(&k.color, matrix))
                    .collect();
                for i in 0..9 {
                    for j in i + 1..9 {
                        let d = labs[i]
                            .iter()
                            .zip(&labs[j])
                            .map(|(a, b)| (a - b).powi(2))
                            .sum::<f64>()
                            .sqrt();
                        assert!(
                            d >= MIN_DELTA_E,
                            "{} {:?}: classes {} and {} only ΔE {d:.1} apart under {name}",
                            m.measure,
                            m.kind,
                            i + 1,
                            j + 1
                        );
                    }
                }
                // Lightness is monotonic from class 1 up to 5 and from 9 up to 5 in normal vision.
                if *name == "normal" {
                    assert!(labs[..5].windows(2).all(|w| w[0][0] < w[1][0]));
                    assert!(labs[4..].windows(2).all(|w| w[0][0] > w[1][0]));
                }
            }
        }
    }
}
