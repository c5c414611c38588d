//! The nine classes: cut points, labels and colours, and the one rule that puts a value in a
//! class.
//!
//! A class is a function of the **published** value alone: the value rounded to
//! [`DECIMALS`] decimals, as the tiles' `score` carries it. So the tile, the point API, the legend
//! and any independent reader (who has only the tile and the `lbm_classification` row) agree on
//! every class, also for an area mean that lies a hair below a cut point.

use serde::{Deserialize, Serialize};

use crate::measure::{Column, Kind};

/// Decimals of a published value (the precision of the Leefbaarometer's open data).
pub const DECIMALS: i32 = 3;

/// The published form of a value: rounded to [`DECIMALS`] decimals (half away from zero).
/// Idempotent: publishing a published value gives it back unchanged.
pub fn publish(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The change from `from` to `to` as a change map publishes it: the difference of the two
/// published values, so that it equals what a reader computes from the two score tilesets.
pub fn change_value(from: f64, to: f64) -> f64 {
    publish(publish(to) - publish(from))
}

/// Label and colour of one class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassEntry {
    /// 1..9.
    pub class: u8,
    /// Dutch label, e.g. `zeer onvoldoende`.
    #[serde(default)]
    pub label_nl: String,
    /// English label, e.g. `very insufficient`.
    #[serde(default)]
    pub label_en: String,
    /// `#rrggbb`.
    pub color: String,
}

/// Label and colour of "no data": a place that exists (a populated cell, an area) but has no
/// score for this measure and year. Never a class colour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoData {
    /// Dutch label, `geen gegevens`.
    #[serde(default)]
    pub label_nl: String,
    /// English label, `no data`.
    #[serde(default)]
    pub label_en: String,
    /// `#rrggbb`.
    pub color: String,
}

impl Default for NoData {
    fn default() -> Self {
        NoData {
            label_nl: "geen gegevens".into(),
            label_en: "no data".into(),
            color: "#bdbdbd".into(),
        }
    }
}

/// The classification of one tileset: the `lbm_classification` metadata row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// `lbm`, `fys`, `onv`, `soc`, `vrz` or `won` (foreign tilesets may name others).
    pub measure: String,
    /// [`Kind::Change`] for the classification of a change map; absent for scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// Dutch name of the measure, e.g. `Fysieke omgeving`.
    #[serde(default)]
    pub name_nl: String,
    /// English name, e.g. `Physical environment`.
    #[serde(default)]
    pub name_en: String,
    /// The value column classified: the measure itself, or `afw` for the total score (its
    /// deviation from the national reference level). A change map classifies the change of the
    /// measure itself.
    #[serde(default)]
    pub basis: String,
    /// 8 strictly increasing cut points.
    pub cuts: Vec<f64>,
    /// The 9 classes, 1..9.
    pub classes: Vec<ClassEntry>,
    /// What places without a score look like.
    #[serde(default)]
    pub no_data: NoData,
}

/// Why a classification cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassificationError {
    /// Not 8 cut points.
    #[error("{0} cut points; expected 8 (for 9 classes)")]
    CutCount(usize),
    /// A cut point is NaN or infinite.
    #[error("cut point {0} is not finite")]
    NotFinite(f64),
    /// Cut points out of order.
    #[error("cut points {index} and {next} ({a} and {b}) are not strictly increasing", next = index + 1)]
    NotIncreasing {
        /// 1-based position of the first of the two.
        index: usize,
        /// The first.
        a: f64,
        /// The second.
        b: f64,
    },
    /// A change classification whose middle class does not hold zero.
    #[error(
        "change cut points 4 and 5 are {a} and {b}; expected cut 4 <= 0 < cut 5, so that a rise is \
         never in a decline class (1-4) and a fall never in an improvement class (6-9)"
    )]
    ChangeNotCentred {
        /// Cut 4.
        a: f64,
        /// Cut 5.
        b: f64,
    },
    /// Not 9 classes.
    #[error("{0} classes; expected 9")]
    ClassCount(usize),
    /// A colour that is not `#rrggbb`.
    #[error("colour {0:?} is not #rrggbb")]
    BadColour(String),
    /// A basis that is neither the measure nor `afw`.
    #[error("basis {basis:?}; expected {measure:?}{afw}", afw = if measure == "lbm" { " or \"afw\"" } else { "" })]
    BadBasis {
        /// The measure.
        measure: String,
        /// The basis given.
        basis: String,
    },
}

impl Classification {
    /// Class 1..9 of a value (`None` when it is not finite): class k holds the published values
    /// v with `cuts[k-2] <= v < cuts[k-1]`, open-ended for 1 and 9. The value is published
    /// first ([`publish`]), so the class follows from the score a tile carries.
    pub fn classify(&self, v: f64) -> Option<u8> {
        if !v.is_finite() {
            return None;
        }
        let v = publish(v);
        Some(1 + self.cuts.iter().filter(|c| **c <= v).count() as u8)
    }

    /// The column this classification reads: `basis`, or the measure when `basis` is empty.
    pub fn basis(&self) -> &str {
        if self.basis.is_empty() {
            &self.measure
        } else {
            &self.basis
        }
    }

    /// The basis as a value column, when it is one.
    pub fn basis_column(&self) -> Option<Column> {
        Column::parse(self.basis())
    }

    /// Whether this is the classification of a change map.
    pub fn is_change(&self) -> bool {
        self.kind == Some(Kind::Change)
    }

    /// The entry of class `k`, if it exists.
    pub fn entry(&self, k: u8) -> Option<&ClassEntry> {
        self.classes.iter().find(|c| c.class == k)
    }

    /// Checks what every classification must satisfy: 8 finite, strictly increasing cut points,
    /// 9 classes with `#rrggbb` colours, a basis that is the measure (or `afw` for `lbm`
    /// scores), and for a change map a middle class that holds zero.
    pub fn check(&self) -> Result<(), ClassificationError> {
        check_cuts(&self.cuts, self.is_change())?;
        if self.classes.len() != 9 {
            return Err(ClassificationError::ClassCount(self.classes.len()));
        }
        for colour in self
            .classes
            .iter()
            .map(|c| &c.color)
            .chain([&self.no_data.color])
        {
            if !is_hex_colour(colour) {
                return Err(ClassificationError::BadColour(colour.clone()));
            }
        }
        let basis_ok = self.basis() == self.measure
            || (self.basis() == "afw" && self.measure == "lbm" && !self.is_change());
        if !basis_ok {
            return Err(ClassificationError::BadBasis {
                measure: self.measure.clone(),
                basis: self.basis.clone(),
            });
        }
        Ok(())
    }

    /// The metadata JSON (`lbm_classification`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a classification serialises")
    }
}

/// Checks a list of cut points; `change` adds the rule that the middle class holds zero.
pub fn check_cuts(cuts: &[f64], change: bool) -> Result<(), ClassificationError> {
    if cuts.len() != 8 {
        return Err(ClassificationError::CutCount(cuts.len()));
    }
    if let Some(c) = cuts.iter().find(|c| !c.is_finite()) {
        return Err(ClassificationError::NotFinite(*c));
    }
    for (i, w) in cuts.windows(2).enumerate() {
        if w[0] >= w[1] {
            return Err(ClassificationError::NotIncreasing {
                index: i + 1,
                a: w[0],
                b: w[1],
            });
        }
    }
    if change && !(cuts[3] <= 0.0 && 0.0 < cuts[4]) {
        return Err(ClassificationError::ChangeNotCentred {
            a: cuts[3],
            b: cuts[4],
        });
    }
    Ok(())
}

/// Whether `s` is a `#rrggbb` colour.
pub fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample(kind: Option<Kind>) -> Classification {
        Classification {
            measure: "fys".into(),
            kind,
            name_nl: "Fysieke omgeving".into(),
            name_en: "Physical environment".into(),
            basis: "fys".into(),
            cuts: vec![-0.21, -0.13, -0.075, -0.04, 0.04, 0.075, 0.13, 0.21],
            classes: (1..=9)
                .map(|class| ClassEntry {
                    class,
                    label_nl: String::new(),
                    label_en: String::new(),
                    color: "#000000".into(),
                })
                .collect(),
            no_data: NoData::default(),
        }
    }

    #[test]
    fn classes_are_half_open_on_published_values() {
        let c = sample(None);
        assert_eq!(c.classify(-1.0), Some(1));
        assert_eq!(c.classify(-0.21), Some(2));
        assert_eq!(c.classify(0.0), Some(5));
        assert_eq!(c.classify(0.04), Some(6));
        assert_eq!(c.classify(0.0394), Some(5));
        assert_eq!(c.classify(0.0396), Some(6), "published as 0.040");
        assert_eq!(c.classify(0.21), Some(9));
        assert_eq!(c.classify(f64::NAN), None);
        // A mean that is published as -0.040 is in the class of -0.040: the legend, the tile
        // and the panel all say so.
        assert_eq!(c.classify(-0.040_454_5), Some(5));
        assert_eq!(c.classify(-0.040_5), Some(4));
        // Float noise of a mean that lies on a cut does not move it off.
        assert_eq!(c.classify((0.03 + 0.05) / 2.0), Some(6));
        assert!(c.check().is_ok());
    }

    #[test]
    fn change_values_are_differences_of_published_values() {
        assert_eq!(change_value(4.1234, 4.2), 0.077);
        assert_eq!(change_value(0.1, 0.3), 0.2);
        assert_eq!(change_value(-0.0004, 0.0004), 0.0);
    }

    #[test]
    fn checks_name_the_problem() {
        let mut c = sample(None);
        c.cuts.swap(2, 3);
        assert!(matches!(
            c.check(),
            Err(ClassificationError::NotIncreasing { index: 3, .. })
        ));
        let mut c = sample(Some(Kind::Change));
        c.cuts = vec![-0.1, -0.06, -0.03, 0.01, 0.02, 0.03, 0.06, 0.1];
        let e = c.check().unwrap_err();
        assert!(e.to_string().contains("a rise is never"), "{e}");
        let mut c = sample(None);
        c.basis = "afw".into();
        assert!(matches!(
            c.check(),
            Err(ClassificationError::BadBasis { .. })
        ));
        c.measure = "lbm".into();
        assert!(c.check().is_ok());
        c.kind = Some(Kind::Change);
        c.cuts = vec![-0.15, -0.09, -0.05, -0.02, 0.02, 0.05, 0.09, 0.15];
        assert!(c.check().is_err(), "a change map classifies lbm, not afw");
        let mut c = sample(None);
        c.classes[3].color = "red".into();
        assert!(matches!(c.check(), Err(ClassificationError::BadColour(_))));
    }

    #[test]
    fn json_round_trips_and_omits_the_kind_of_scores() {
        let c = sample(None);
        let json: serde_json::Value = serde_json::from_str(&c.to_json()).unwrap();
        assert!(json.get("kind").is_none());
        assert_eq!(json["no_data"]["color"], "#bdbdbd");
        let back: Classification = serde_json::from_str(&c.to_json()).unwrap();
        assert_eq!(back, c);
        let ch = sample(Some(Kind::Change));
        assert!(ch.to_json().contains("\"kind\":\"change\""));
    }

    proptest! {
        /// Around every cut point: the class of a value is the class of its published value,
        /// values below a cut (as published) are one class lower than values on it, and a change
        /// class is on the side of the change's sign.
        #[test]
        fn class_is_a_function_of_the_published_value(cut in 0usize..8, offset in -3i32..=3, noise in -4.9e-4f64..4.9e-4) {
            let c = sample(None);
            let v = publish(c.cuts[cut] + f64::from(offset) / 1000.0);
            let class = c.classify(v + noise).unwrap();
            prop_assert_eq!(Some(class), c.classify(v));
            let expected = if offset < 0 { cut as u8 + 1 } else { cut as u8 + 2 };
            prop_assert_eq!(class, expected);
            let mut ch = sample(Some(Kind::Change));
            ch.cuts = vec![-0.10, -0.06, -0.03, -0.01, 0.01, 0.03, 0.06, 0.10];
            let d = change_value(4.0, 4.0 + v + noise);
            let k = ch.classify(d).unwrap();
            if d > 0.0 { prop_assert!(k >= 5); }
            if d < 0.0 { prop_assert!(k <= 5); }
        }
    }
}
