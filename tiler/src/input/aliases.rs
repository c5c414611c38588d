//! Names people type for an area that are not its official name: everyday names (Den Haag for
//! 's-Gravenhage, Den Bosch for 's-Hertogenbosch; `tiler/data/area_aliases.csv`) and the names of
//! former municipalities, which live on in the municipality that took them over
//! (`tiler/data/nl_gemeente_codes_bgt_nlmod.csv` lists them; where one of them lies today is
//! where the GeoNames place of that name lies).

use std::collections::HashSet;

use lbm_tileset::names::normalise_name;

use crate::input::areas::{Area, AreaLevel};
use crate::input::places::places;

/// Everyday names of areas.
const COMMON: &str = include_str!("../../data/area_aliases.csv");
/// Every municipality code with its name, former ones included (via nlmod, MIT).
const GEMEENTE_CODES: &str = include_str!("../../data/nl_gemeente_codes_bgt_nlmod.csv");

/// Another name for an area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// The name as people write it.
    pub name: String,
    /// The area it stands for.
    pub code: String,
    /// `common` (an everyday name) or `former` (a municipality merged into this one).
    pub kind: &'static str,
}

/// Every municipality code and name of the shipped list (current and former).
pub fn gemeente_names() -> Vec<(String, String)> {
    let mut r = csv::Reader::from_reader(GEMEENTE_CODES.as_bytes());
    r.records()
        .filter_map(|rec| {
            let rec = rec.ok()?;
            Some((rec.get(0)?.to_string(), rec.get(1)?.to_string()))
        })
        .collect()
}

/// The aliases of the areas of a build: the everyday names of areas present, and the former
/// municipalities of the list whose name is a GeoNames place inside one of the `areas`'
/// gemeenten (the most populous place of that name).
pub fn aliases(areas: &[&Area]) -> Vec<Alias> {
    let present: HashSet<&str> = areas.iter().map(|a| a.code.as_str()).collect();
    let mut out: Vec<Alias> = csv::Reader::from_reader(COMMON.as_bytes())
        .records()
        .filter_map(|rec| {
            let rec = rec.ok()?;
            let (name, code) = (rec.get(0)?.to_string(), rec.get(1)?.to_string());
            present.contains(code.as_str()).then_some(Alias {
                name,
                code,
                kind: "common",
            })
        })
        .collect();
    let gemeenten: Vec<&&Area> = areas
        .iter()
        .filter(|a| a.level == AreaLevel::Gemeente)
        .collect();
    if gemeenten.is_empty() {
        return out;
    }
    let current: HashSet<String> = gemeenten.iter().map(|a| normalise_name(&a.name)).collect();
    let places = places();
    for (code, name) in gemeente_names() {
        if present.contains(code.as_str()) || current.contains(&normalise_name(&name)) {
            continue;
        }
        let key = normalise_name(&name);
        // The places come most populous first.
        let Some(place) = places.iter().find(|p| normalise_name(&p.name) == key) else {
            continue;
        };
        if let Some(g) = gemeenten.iter().find(|g| g.contains(place.x, place.y)) {
            out.push(Alias {
                name,
                code: g.code.clone(),
                kind: "former",
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(code: &str, name: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Area {
        Area {
            level: AreaLevel::Gemeente,
            code: code.into(),
            name: name.into(),
            polygons: vec![vec![vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)]]],
        }
    }

    #[test]
    fn everyday_and_former_names() {
        // Appingedam (GeoNames 252,590 / 594,000 or so) lies in Eemsdelta since 2021.
        let eemsdelta = area(
            "GM1979",
            "Eemsdelta",
            245_000.0,
            585_000.0,
            265_000.0,
            605_000.0,
        );
        let haag = area(
            "GM0518",
            "'s-Gravenhage",
            70_000.0,
            450_000.0,
            90_000.0,
            465_000.0,
        );
        let a = aliases(&[&eemsdelta, &haag]);
        assert!(a.contains(&Alias {
            name: "Den Haag".into(),
            code: "GM0518".into(),
            kind: "common"
        }));
        assert!(
            a.iter()
                .any(|x| x.name == "Appingedam" && x.code == "GM1979" && x.kind == "former"),
            "{a:?}"
        );
        // Without the gemeente present, no alias points at it.
        assert!(aliases(&[&eemsdelta]).iter().all(|x| x.code != "GM0518"));
        assert!(gemeente_names().len() > 400);
    }
}
