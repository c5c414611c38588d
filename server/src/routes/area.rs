//! `GET /api/v1/areas/{code}`: one area by its code, as search found it: its level, name,
//! parent, centre and bounds, its values and classes in every year and change period (the same
//! entry the point API gives for it), and the areas it lies in. The page opens a searched area's
//! panel with it, never by a point look-up that a concave or multi-part area's middle would
//! send to a neighbour.

use axum::extract::{Path, State};
use axum::http::header::HeaderMap;
use axum::response::Response;
use serde::Serialize;

use super::tilejson::json_response;
use crate::documents::values::{AreaJson, Meaning};
use crate::error::ApiError;
use crate::index::{level_rank, AreaAt, PointIndex};
use crate::AppState;

/// The longest code accepted (CBS codes have 10 characters, PC4 codes 4).
const MAX_CODE_LEN: usize = 16;

/// The answer of the area API.
#[derive(Serialize)]
struct AreaAnswer<'a> {
    /// Level, code, name, years and changes (none for an area that is not on the map).
    #[serde(flatten)]
    entry: AreaJson<'a>,
    /// The gemeente of a wijk or buurt (code), when known.
    parent: Option<&'a str>,
    /// Its name.
    parent_name: Option<&'a str>,
    /// A point inside the area, `[lon, lat]`; null when it is not on the map.
    center: Option<[f64; 2]>,
    /// `[w, s, e, n]`; null when it is not on the map.
    bbox: Option<[f64; 4]>,
    /// Whether the area has a polygon on the map (false: its boundary file had no usable
    /// polygon for it; it keeps its scores).
    on_map: bool,
    /// The area and those it lies in, coarse to fine, as the point API lists them.
    areas: Vec<AreaJson<'a>>,
}

/// The codes of the areas that `code` lies in by the CBS code structure (`BUggggwwbb` lies in
/// wijk `WKggggww` of gemeente `GMgggg`), and its own.
fn containing(code: &str, parent: Option<&str>) -> Vec<String> {
    let mut codes: Vec<String> = parent.map(String::from).into_iter().collect();
    if let Some(rest) = code.strip_prefix("BU") {
        if rest.len() >= 6 {
            codes.push(format!("WK{}", &rest[..6]));
        }
    }
    codes.push(code.to_string());
    codes
}

/// Handler of the area API.
pub(super) async fn handler(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if code.is_empty()
        || code.len() > MAX_CODE_LEN
        || !code.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ApiError::bad_request(format!(
            "an area code is 1 to {MAX_CODE_LEN} letters and digits (GM0344, WK034401, 3511), got {code:?}"
        )));
    }
    let snapshot = state.catalog.snapshot();
    let index: &PointIndex = snapshot.index.as_deref().ok_or_else(|| {
        ApiError::not_found("no point index: lbm-index.sqlite is missing from the tiles folder")
    })?;
    let hit = index
        .area_hit(&code)
        .ok_or_else(|| ApiError::not_found(format!("no area with code {code:?}")))?;
    let meaning = Meaning::of(&snapshot);
    let own = index.area_years(&hit.code);
    let entry = own.clone().unwrap_or(AreaAt {
        code: &hit.code,
        level: &hit.level,
        name: &hit.name,
        years: &[],
    });
    let mut areas: Vec<_> = containing(&hit.code, hit.parent.as_deref())
        .iter()
        .filter_map(|c| index.area_years(c))
        .collect();
    areas.sort_by_key(|a| level_rank(a.level));
    let answer = AreaAnswer {
        entry: AreaJson::new(&entry, &meaning),
        parent: hit.parent.as_deref(),
        parent_name: hit.parent_name.as_deref(),
        center: hit.center6(),
        bbox: hit.bbox6(),
        on_map: hit.on_map() && index.area_on_map(&hit.code),
        areas: areas.iter().map(|a| AreaJson::new(a, &meaning)).collect(),
    };
    Ok(json_response(&answer, &headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buurt_lies_in_its_wijk_and_gemeente() {
        assert_eq!(
            containing("BU03440101", Some("GM0344")),
            ["GM0344", "WK034401", "BU03440101"]
        );
        assert_eq!(
            containing("WK034401", Some("GM0344")),
            ["GM0344", "WK034401"]
        );
        assert_eq!(containing("GM0344", None), ["GM0344"]);
        assert_eq!(containing("3511", None), ["3511"]);
    }
}
