//! Classification of scores into the 9 Leefbaarometer classes: cut points, labels and colours.
//!
//! The classification is configuration, never code: it is read from a TOML or JSON file (by
//! extension), and the default ships as `tiler/data/classes.toml` (provisional cut points).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Result, TilerError};
use crate::scores::{value_index, MEASURES};

/// The default classification file, embedded at compile time.
pub const DEFAULT_CLASSES_TOML: &str = include_str!("../data/classes.toml");

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

/// One class with its number, as in the `lbm_classification` metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassEntry {
    /// 1..9.
    pub class: u8,
    /// Dutch label.
    pub label_nl: String,
    /// English label.
    pub label_en: String,
    /// `#rrggbb`.
    pub color: String,
}

/// The classification of one measure (the `lbm_classification` metadata JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureClassification {
    /// `lbm`, `fys`, `onv`, `soc`, `vrz` or `won`.
    pub measure: String,
    /// `Some("change")` for the classification of a change map (absent for scores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Dutch name, e.g. `Fysieke omgeving`.
    pub name_nl: String,
    /// English name, e.g. `Physical environment`.
    pub name_en: String,
    /// The value classified: the measure itself, or `afw` for `lbm`.
    pub basis: String,
    /// 8 strictly increasing cut points.
    pub cuts: Vec<f64>,
    /// The 9 classes.
    pub classes: Vec<ClassEntry>,
    /// Label and colour for cells without data.
    pub no_data: ClassStyle,
}

impl MeasureClassification {
    /// Class 1..9 of a value: class k holds `cuts[k-2] <= v < cuts[k-1]`.
    pub fn classify(&self, v: f64) -> u8 {
        // Means of decimal inputs carry float noise (0.03 and 0.05 average to 0.04000000000000001):
        // compare at 1e-9, far below any score's precision, so a value on a cut stays on it.
        let v = (v * 1e9).round() / 1e9;
        1 + self.cuts.iter().take_while(|c| **c <= v).count() as u8
    }

    /// Index of the basis value in [`crate::scores::CellRecord::values`].
    pub fn basis_index(&self) -> usize {
        value_index(&self.basis).unwrap_or(0)
    }

    /// The metadata JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A classification for every measure.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// Where it was read from (`<default>` for the embedded one).
    pub source: PathBuf,
    /// Per measure, in the order of [`MEASURES`] (measures absent from the file are absent).
    pub measures: Vec<MeasureClassification>,
    /// The change classification per measure (the file's `[change]` section, or the embedded
    /// default's when the file has none), same order as `measures`.
    pub changes: Vec<MeasureClassification>,
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

impl Default for Classification {
    fn default() -> Self {
        Self::embedded()
    }
}

impl Classification {
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
        let raw: RawFile = if json {
            serde_json::from_str(text).map_err(|e| TilerError::BadClassification {
                path: path.to_path_buf(),
                line: e.line() as u64,
                column: e.column(),
                message: e.to_string(),
            })?
        } else {
            toml::from_str(text).map_err(|e| {
                let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
                TilerError::BadClassification {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: e.message().to_string(),
                }
            })?
        };
        let section = |m: &str| {
            if json {
                format!("\"{m}\"")
            } else {
                format!("measures.{m}")
            }
        };
        let bad = |needles: &[&str], message: String| {
            let (line, column) = locate(text, needles);
            TilerError::BadClassification {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        if let Some(cuts) = &raw.defaults.cuts {
            check_cuts(text, path, "defaults", &["defaults", "cuts"], cuts)?;
        }
        let mut out = Vec::new();
        for (name, m) in &raw.measures {
            let sec = section(name);
            if !MEASURES.contains(&name.as_str()) {
                let (line, column) = locate(text, &[&sec]);
                return Err(TilerError::UnknownMeasure {
                    path: path.to_path_buf(),
                    line,
                    column,
                    name: name.clone(),
                });
            }
            let cuts = m
                .cuts
                .clone()
                .or_else(|| raw.defaults.cuts.clone())
                .ok_or_else(|| {
                    bad(
                        &[&sec],
                        format!(
                            "measure {name}: no cuts and no default cuts; expected 8 cut points"
                        ),
                    )
                })?;
            if cuts.len() != 8 {
                return Err(bad(
                    &[&sec, "cuts"],
                    format!(
                        "measure {name}: {} cut points; expected 8 (for 9 classes)",
                        cuts.len()
                    ),
                ));
            }
            check_cuts(text, path, name, &[&sec, "cuts"], &cuts)?;
            let classes = m
                .classes
                .clone()
                .or_else(|| raw.defaults.classes.clone())
                .ok_or_else(|| {
                    bad(
                        &[&sec],
                        format!("measure {name}: no classes and no default classes; expected 9"),
                    )
                })?;
            if classes.len() != 9 {
                return Err(bad(
                    &[&sec, "classes"],
                    format!("measure {name}: {} classes; expected 9", classes.len()),
                ));
            }
            let no_data = m
                .no_data
                .clone()
                .or_else(|| raw.defaults.no_data.clone())
                .unwrap_or(ClassStyle {
                    label_nl: "geen gegevens".into(),
                    label_en: "no data".into(),
                    color: "#bdbdbd".into(),
                });
            for c in classes.iter().chain(std::iter::once(&no_data)) {
                if !is_hex_colour(&c.color) {
                    return Err(bad(
                        &[&c.color],
                        format!("measure {name}: colour {:?} is not #rrggbb", c.color),
                    ));
                }
            }
            let basis = m.basis.clone().unwrap_or_else(|| name.clone());
            if basis != *name && basis != "afw" {
                return Err(bad(
                    &[&sec, "basis"],
                    format!("measure {name}: basis {basis:?}; expected {name:?} or \"afw\""),
                ));
            }
            out.push(MeasureClassification {
                measure: name.clone(),
                kind: None,
                name_nl: m.name_nl.clone().unwrap_or_else(|| name.clone()),
                name_en: m.name_en.clone().unwrap_or_else(|| name.clone()),
                basis,
                cuts,
                classes: numbered(classes),
                no_data,
            });
        }
        out.sort_by_key(|m| MEASURES.iter().position(|n| *n == m.measure));
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
                        c.basis.clone_from(&m.basis);
                        Some(c)
                    })
                    .collect()
            }
        };
        Ok(Classification {
            source: path.to_path_buf(),
            measures: out,
            changes,
        })
    }

    /// The change classification of one measure.
    pub fn change(&self, measure: &str) -> Option<&MeasureClassification> {
        self.changes.iter().find(|m| m.measure == measure)
    }

    /// The classification of one measure.
    pub fn get(&self, measure: &str) -> Option<&MeasureClassification> {
        self.measures.iter().find(|m| m.measure == measure)
    }
}

/// The change classifications for the measures of `scores` from a `[change]` section.
fn parse_change(
    text: &str,
    path: &Path,
    change: &RawChange,
    scores: &[MeasureClassification],
) -> Result<Vec<MeasureClassification>> {
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
        .find(|n| !MEASURES.contains(&n.as_str()))
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
        check_cuts(
            text,
            path,
            &format!("change of {name}"),
            &["change", "cuts"],
            &cuts,
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
            .unwrap_or_else(|| m.no_data.clone());
        for c in classes.iter().chain(std::iter::once(&no_data)) {
            if !is_hex_colour(&c.color) {
                return Err(bad(
                    &[&c.color],
                    format!("change of {name}: colour {:?} is not #rrggbb", c.color),
                ));
            }
        }
        out.push(MeasureClassification {
            measure: name.clone(),
            kind: Some("change".into()),
            name_nl: m.name_nl.clone(),
            name_en: m.name_en.clone(),
            basis: m.basis.clone(),
            cuts,
            classes: numbered(classes),
            no_data,
        });
    }
    Ok(out)
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_cuts(
    text: &str,
    path: &Path,
    measure: &str,
    needles: &[&str],
    cuts: &[f64],
) -> Result<()> {
    for (i, w) in cuts.windows(2).enumerate() {
        if w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less) {
            let (line, column) = locate(text, needles);
            return Err(TilerError::CutsNotIncreasing {
                path: path.to_path_buf(),
                line,
                column,
                measure: measure.to_string(),
                index: i + 1,
                a: w[0],
                b: w[1],
            });
        }
    }
    if let Some(c) = cuts.iter().find(|c| !c.is_finite()) {
        let (line, column) = locate(text, needles);
        return Err(TilerError::BadClassification {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("measure {measure}: cut point {c} is not finite"),
        });
    }
    Ok(())
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
        let c = Classification::embedded();
        let names: Vec<&str> = c.measures.iter().map(|m| m.measure.as_str()).collect();
        assert_eq!(names, MEASURES);
        let lbm = c.get("lbm").unwrap();
        assert_eq!(lbm.basis, "afw");
        assert_eq!(lbm.basis_index(), 1);
        assert_eq!(c.get("fys").unwrap().basis_index(), 2);
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
        assert_eq!(ch.kind.as_deref(), Some("change"));
        assert_eq!(ch.classes[0].label_nl, "sterke achteruitgang");
        assert_eq!(ch.classes[4].label_nl, "geen verandering");
        assert_eq!(ch.classes[8].label_nl, "sterke vooruitgang");
        assert_eq!(
            (ch.classify(-0.011), ch.classify(0.0), ch.classify(0.2)),
            (4, 5, 9)
        );
        assert_eq!(c.change("lbm").unwrap().basis, "afw");
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
        let c = Classification::embedded();
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
                assert_eq!(m.classify(v), class, "{} {v}", m.measure);
            }
        }
        let lbm = c.get("lbm").unwrap();
        for v in [0.189, 0.21, 0.52] {
            assert_eq!(lbm.classify(v), 9, "afw {v}");
        }
    }

    #[test]
    fn class_boundaries_are_half_open() {
        let c = Classification::embedded();
        let m = c.get("fys").unwrap();
        assert_eq!(m.classify(-1.0), 1);
        assert_eq!(m.classify(-0.21), 2);
        assert_eq!(m.classify(0.04), 6);
        assert_eq!(m.classify(0.0399), 5);
        // A mean just below a cut is below it even when it rounds onto it for display, and
        // float noise of a mean that lies on a cut does not move it off.
        assert_eq!(m.classify(-0.040_454_5), 4);
        assert_eq!(m.classify((0.03 + 0.05) / 2.0), 6);
        assert_eq!(m.classify(0.21), 9);
    }

    #[test]
    fn json_and_errors_with_positions() {
        let json = r##"{"defaults":{"cuts":[1,2,3,4,5,6,7,8],
 "classes":[{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"},{"label_nl":"a","label_en":"a","color":"#000000"}]},
 "measures":{"fys":{}}}"##;
        let c = Classification::parse(json, Path::new("c.json"), true).unwrap();
        assert_eq!(c.get("fys").unwrap().classify(4.5), 5);
        let bad = json.replace("{\"fys\":{}}", "{\"fys\":{},\n \"fyz\":{}}");
        let e = Classification::parse(&bad, Path::new("c.json"), true).unwrap_err();
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
        let e = Classification::parse(&toml_bad, Path::new("x.toml"), false).unwrap_err();
        let msg = e.to_string();
        assert!(
            matches!(e, TilerError::CutsNotIncreasing { index: 7, .. }),
            "{msg}"
        );
        assert!(msg.starts_with("x.toml: line 31, column 1:"), "{msg}");
        let e = Classification::parse("[measures.fys\n", Path::new("y.toml"), false).unwrap_err();
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
        let c = Classification::embedded();
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
