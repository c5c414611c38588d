//! Places of the Netherlands with population 500 or more (GeoNames, CC BY 4.0), embedded: the
//! demo puts its populated cells around them, and the search learns from them where a former
//! municipality now lies.

/// The GeoNames extract (`tiler/data/nl_places_geonames_pop500.csv`).
const PLACES: &str = include_str!("../../data/nl_places_geonames_pop500.csv");

/// Names GeoNames gives in English where the map, a Dutch map, uses the Dutch name (its
/// labels are the same in both languages, as on every Dutch map).
const DUTCH_NAMES: [(&str, &str); 1] = [("The Hague", "Den Haag")];

/// A place: name, RD New position and population.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// Name as GeoNames spells it, in Dutch where GeoNames uses an English one
    /// ([`DUTCH_NAMES`]).
    pub name: String,
    /// RD New x in metres.
    pub x: f64,
    /// RD New y in metres.
    pub y: f64,
    /// Inhabitants.
    pub population: f64,
}

/// Every place, most populous first (the file's order).
pub fn places() -> Vec<Place> {
    let mut r = csv::Reader::from_reader(PLACES.as_bytes());
    let h = r.headers().expect("embedded CSV has a header").clone();
    let col = |n: &str| h.iter().position(|c| c == n).expect("known column");
    let (cn, cp, cx, cy) = (col("name"), col("population"), col("x_rd"), col("y_rd"));
    r.records()
        .filter_map(|rec| {
            let rec = rec.ok()?;
            let name = rec.get(cn)?;
            let name = DUTCH_NAMES
                .iter()
                .find(|(en, _)| *en == name)
                .map_or(name, |(_, nl)| nl);
            Some(Place {
                name: name.to_string(),
                population: rec.get(cp)?.parse().ok()?,
                x: rec.get(cx)?.parse().ok()?,
                y: rec.get(cy)?.parse().ok()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_places_come_first() {
        let p = places();
        assert!(p.len() > 1900);
        assert_eq!(p[0].name, "Rotterdam");
        assert!(p.iter().any(|q| q.name == "Appingedam"));
        // A Dutch map says Den Haag.
        assert!(p.iter().any(|q| q.name == "Den Haag"));
        assert!(!p.iter().any(|q| q.name == "The Hague"));
    }
}
