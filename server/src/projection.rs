//! WGS84 longitude/latitude → RD New (EPSG:28992), injectable.
//!
//! The server does not depend on the tiler; by default it uses the published polynomial
//! approximation (Schreutelkamp & Strang van Hees), accurate to about a metre over the
//! Netherlands. The binary can inject the tiler's exact projection with
//! [`crate::AppState::with_projection`].

use std::sync::Arc;

/// A lon/lat → RD New (x, y in metres) function.
pub type Projection = Arc<dyn Fn(f64, f64) -> (f64, f64) + Send + Sync>;

/// The default projection: [`rd_from_lonlat_approx`].
pub fn default_projection() -> Projection {
    Arc::new(rd_from_lonlat_approx)
}

/// Approximate RD New coordinates of a WGS84 point (metre accuracy in the Netherlands).
pub fn rd_from_lonlat_approx(lon: f64, lat: f64) -> (f64, f64) {
    const R: [(i32, i32, f64); 9] = [
        (0, 1, 190094.945),
        (1, 1, -11832.228),
        (2, 1, -114.221),
        (0, 3, -32.391),
        (1, 0, -0.705),
        (3, 1, -2.340),
        (1, 3, -0.608),
        (0, 2, -0.008),
        (2, 3, 0.148),
    ];
    const S: [(i32, i32, f64); 10] = [
        (1, 0, 309056.544),
        (0, 2, 3638.893),
        (2, 0, 73.077),
        (1, 2, -157.984),
        (3, 0, 59.788),
        (0, 1, 0.433),
        (2, 2, -6.439),
        (1, 1, -0.032),
        (0, 4, 0.092),
        (1, 4, -0.054),
    ];
    let dphi = 0.36 * (lat - 52.155_174_40);
    let dlam = 0.36 * (lon - 5.387_206_21);
    let x = 155_000.0
        + R.iter()
            .map(|(p, q, c)| c * dphi.powi(*p) * dlam.powi(*q))
            .sum::<f64>();
    let y = 463_000.0
        + S.iter()
            .map(|(p, q, c)| c * dphi.powi(*p) * dlam.powi(*q))
            .sum::<f64>();
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amersfoort_is_the_origin() {
        let (x, y) = rd_from_lonlat_approx(5.387_206_21, 52.155_174_40);
        assert!((x - 155_000.0).abs() < 0.01 && (y - 463_000.0).abs() < 0.01);
    }

    #[test]
    fn dam_square_is_near_its_rd_coordinates() {
        // Dam, Amsterdam: about (121 400, 487 400) in RD.
        let (x, y) = rd_from_lonlat_approx(4.8930, 52.3731);
        assert!((x - 121_400.0).abs() < 300.0, "{x}");
        assert!((y - 487_400.0).abs() < 300.0, "{y}");
    }
}
