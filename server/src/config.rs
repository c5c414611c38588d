//! Server configuration: command line flags and environment variables (clap).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default `Cache-Control` of tiles, TileJSON and styles. Tilesets only change by re-tiling, so
/// an hour in browsers and a day in shared caches, with revalidation by ETag afterwards, is a
/// balance between CDN offload and seeing a new tileset the same day.
pub const DEFAULT_CACHE_CONTROL: &str = "public, max-age=3600, s-maxage=86400";

/// Default `Cache-Control` of versioned tile URLs: a year, and never revalidated.
pub const IMMUTABLE_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// `lbm-server` options.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "lbm-server",
    version,
    about = "Serves Leefbaarometer tilesets and the web map"
)]
pub struct Config {
    /// What to do instead of serving (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Folder with the tilesets (`.mbtiles` and/or `.pmtiles`) and `lbm-index.sqlite`.
    #[arg(long, env = "LBM_TILES", default_value = "./tiles", global = true)]
    pub tiles: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "LBM_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Public base URL used in TileJSON, styles and the catalog (e.g. `https://maps.example.nl`);
    /// default: derived from the request (Host, X-Forwarded-Proto/Host).
    #[arg(long, env = "LBM_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Allowed CORS origins, comma separated; default: any origin.
    #[arg(long, env = "LBM_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// `Cache-Control` of unversioned tiles and of raw PMTiles archives.
    #[arg(long, env = "LBM_CACHE_CONTROL", default_value = DEFAULT_CACHE_CONTROL)]
    pub cache_control: String,
    /// `Cache-Control` of versioned tiles (the URLs TileJSON, styles and the catalog name):
    /// their content never changes, so browsers, CDNs and proxies may keep them for good.
    #[arg(long, env = "LBM_IMMUTABLE_CACHE_CONTROL", default_value = IMMUTABLE_CACHE_CONTROL)]
    pub immutable_cache_control: String,
    /// Request timeout in seconds.
    #[arg(long, env = "LBM_REQUEST_TIMEOUT", default_value_t = 10)]
    pub request_timeout: u64,
    /// External basemap style URL for the web map (`/config.json`); its origin is allowed by the CSP.
    #[arg(long, env = "LBM_BASEMAP_STYLE_URL")]
    pub basemap_style_url: Option<String>,
    /// Base URL of a PDOK Locatieserver v3.1-compatible geocoder (the public one:
    /// `https://api.pdok.nl/bzk/locatieserver/search/v3_1`): the web map's search then finds
    /// addresses, postcodes and places too. The browser calls it directly (`/config.json` names
    /// it as `geocoder_url`); its origin is allowed by the CSP.
    #[arg(long, env = "LBM_GEOCODER_URL", global = true)]
    pub geocoder_url: Option<String>,
    /// Size of the in-memory tile cache in MiB.
    #[arg(long, env = "LBM_TILE_CACHE_MB", default_value_t = 128)]
    pub tile_cache_mb: u64,
    /// Read-only SQLite connections per tileset.
    #[arg(long, env = "LBM_POOL_SIZE", default_value_t = 4)]
    pub pool_size: usize,
    /// Interval of the fallback rescan of the tiles folder, in milliseconds.
    #[arg(long, env = "LBM_RESCAN_MS", default_value_t = 2000)]
    pub rescan_ms: u64,
    /// Largest request head (request line and headers) in bytes; larger heads get 431.
    /// At least 8192 (hyper's smallest read buffer); 16 KiB is above nginx's default
    /// `large_client_header_buffers` (4 x 8k), so what a proxy forwards fits.
    #[arg(long, env = "LBM_MAX_HEADER_BYTES", default_value_t = 16 * 1024)]
    pub max_header_bytes: usize,
    /// Longest request target (path and query) in bytes; longer ones get 414.
    #[arg(long, env = "LBM_MAX_URI_BYTES", default_value_t = crate::http::MAX_URI_LEN)]
    pub max_uri_bytes: usize,
    /// Most connections served at once; further clients wait in the listen backlog.
    #[arg(long, env = "LBM_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds a client has to send a complete request head before its connection is closed
    /// (slowloris protection; also the idle keep-alive limit).
    #[arg(long, env = "LBM_HEADER_READ_TIMEOUT", default_value_t = 10)]
    pub header_read_timeout: u64,
}

/// Commands other than serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Writes the web map as a static site reading the tiles folder's PMTiles archives
    /// directly (no tile server needed; any static host with HTTP range requests serves it).
    ExportSite {
        /// The site folder to write (replaced when it exists).
        #[arg(long)]
        out: PathBuf,
        /// URL under which the archives will be hosted (e.g. an object-storage bucket);
        /// default: copied into the site's `tiles/` folder.
        #[arg(long)]
        archive_base: Option<String>,
    },
}

impl Config {
    /// Defaults with the given tiles folder (for tests and embedding).
    pub fn for_tiles(dir: impl Into<PathBuf>) -> Self {
        let mut config = <Self as clap::Parser>::parse_from(["lbm-server"]);
        config.tiles = dir.into();
        config
    }

    /// The request timeout as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout.max(1))
    }

    /// The header read timeout as a duration.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout.max(1))
    }

    /// The origin (`scheme://host[:port]`) of the basemap style URL, if it has one.
    pub fn basemap_origin(&self) -> Option<String> {
        origin_of(self.basemap_style_url.as_deref()?)
    }

    /// The origin of the geocoder URL, if it has one.
    pub fn geocoder_origin(&self) -> Option<String> {
        origin_of(self.geocoder_url.as_deref()?)
    }

    /// The geocoder's base URL without a trailing slash, when it is an http(s) URL; an error
    /// naming the flag otherwise.
    pub fn geocoder(&self) -> Result<Option<String>, String> {
        let Some(url) = self
            .geocoder_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(None);
        };
        if origin_of(url).is_none() || url.contains(['?', '#', ' ']) {
            return Err(format!(
                "--geocoder-url (LBM_GEOCODER_URL) must be an http(s) base URL such as \
                 https://api.pdok.nl/bzk/locatieserver/search/v3_1, got {url:?}"
            ));
        }
        Ok(Some(url.trim_end_matches('/').to_string()))
    }
}

/// The origin (`scheme://host[:port]`) of an http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    ok.then(|| format!("{scheme}://{host}"))
}
