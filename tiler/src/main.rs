//! `lbm-tiler`: the command line of the Leefbaarometer tiler.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use lbm_tiler::{BuildOptions, ClassificationSet, DemoOptions, OutputFormat, PressureOptions};

/// See `tiler/Cargo.toml` for why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Leefbaarometer grid scores to MBTiles and PMTiles vector tilesets.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Tile a grid scores CSV: one DIR/{measure}-{year}.mbtiles (and/or .pmtiles) per measure
    /// and year.
    Build {
        /// Grid scores CSV (grid_id,jaar,lbm,afw,fys,onv,soc,vrz,won); found in the release
        /// with --open-data.
        #[arg(long, required_unless_present = "open_data")]
        scores: Option<PathBuf>,
        /// The Leefbaarometer's open-data download, as a zip or its unpacked folder
        /// (repeatable: the scores and the geometry come as two zips): its grid scores, area
        /// scores and boundary files are found by their names and used as --scores,
        /// --area-scores and --areas.
        #[arg(long)]
        open_data: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Only these years, e.g. 2018,2020.
        #[arg(long, value_delimiter = ',')]
        years: Option<Vec<u16>>,
        /// Only these measures, e.g. lbm,fys.
        #[arg(long, value_delimiter = ',')]
        measures: Option<Vec<String>>,
        /// Classification file (TOML or JSON); the embedded default otherwise.
        #[arg(long)]
        classes: Option<PathBuf>,
        /// Lowest zoom.
        #[arg(long, default_value_t = lbm_tiler::aggregate::pyramid::DEFAULT_MINZOOM)]
        minzoom: u8,
        /// Highest zoom.
        #[arg(long, default_value_t = lbm_tiler::aggregate::pyramid::DEFAULT_MAXZOOM)]
        maxzoom: u8,
        /// Attribution metadata.
        #[arg(long)]
        attribution: Option<String>,
        /// The attribution in Dutch, shown by the web map in Dutch.
        #[arg(long)]
        attribution_nl: Option<String>,
        /// Do not write the point index (lbm-index.sqlite).
        #[arg(long)]
        no_index: bool,
        /// gzip level of the tiles (libdeflate), 1 (fastest) ..= 12 (smallest).
        #[arg(long, default_value_t = lbm_tiler::encode::GZIP_LEVEL, value_parser = clap::value_parser!(u32).range(1..=12))]
        gzip_level: u32,
        /// Change maps FROM:TO[,FROM:TO...], e.g. 2018:2020; `none` for none. Default: each
        /// pair of consecutive years built, and every earlier year to the latest.
        #[arg(long)]
        change: Option<String>,
        /// Area boundaries (GeoJSON, FlatGeobuf .fgb or GeoPackage .gpkg) with
        /// gm_code/wk_code/bu_code (or statcode) and names; repeatable. Scores are derived from
        /// the cells whose centre lies inside.
        #[arg(long)]
        areas: Vec<PathBuf>,
        /// Area scores CSV keyed by bu_code, wk_code, gm_code or PC4 (jaar and the measure
        /// columns as in the grid file); repeatable. Those levels use these scores.
        #[arg(long)]
        area_scores: Vec<PathBuf>,
        /// A development file (`ontwikkeling`: the change per area or cell and period, keyed as
        /// an area scores file or by grid_id); repeatable. Read and compared with the change
        /// maps (the difference of the scores) in the build summary.
        #[arg(long)]
        development: Vec<PathBuf>,
        /// Files per tileset: MBTiles, PMTiles (one file for HTTP range requests) or both.
        #[arg(long, value_enum, default_value_t = OutputFormat::Mbtiles)]
        format: OutputFormat,
        /// The national reference level `afw` is measured against when the scores file has no
        /// `afw` column (one level for every year, so classes are comparable over time).
        /// Default: the mean lbm of the first year's cells.
        #[arg(long)]
        afw_reference: Option<f64>,
        /// The "structureel onder druk" overlay (lbm-pressure-FROM-TO): places whose total score
        /// is in this class or lower (1..8; 4 = zwak) in every measured year from
        /// --pressure-since on; `none` for no overlay.
        #[arg(long, default_value = "4")]
        pressure_class: String,
        /// The first year of the "structureel onder druk" period.
        #[arg(long, default_value_t = 2014)]
        pressure_since: u16,
        /// The grid GeoPackage (one 100 m cell polygon per grid_id, as the open data's
        /// `grid 2024.gpkg`): resolves grid ids of the scores that are not E…N…; found in the
        /// release with --open-data.
        #[arg(long)]
        grid_geometry: Option<PathBuf>,
        /// Read and check every input, list per file what was recognised (level, key, years,
        /// rows) and which tilesets would be written, name the files skipped; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Refuse a boundary file with a feature that has no usable polygon after repair
        /// (by default such an area is left off the map, named in a warning, and kept in the
        /// index and search with its scores).
        #[arg(long)]
        strict: bool,
    },
    /// Generate a synthetic Netherlands (DIR/demo-scores.csv) and tile it.
    Demo {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Only this RD New box: xmin,ymin,xmax,ymax in metres.
        #[arg(long, value_delimiter = ',', num_args = 1)]
        bbox: Option<Vec<f64>>,
        /// Only these years.
        #[arg(long, value_delimiter = ',')]
        years: Option<Vec<u16>>,
        /// Only these measures.
        #[arg(long, value_delimiter = ',')]
        measures: Option<Vec<String>>,
        /// Lowest zoom.
        #[arg(long, default_value_t = lbm_tiler::aggregate::pyramid::DEFAULT_MINZOOM)]
        minzoom: u8,
        /// Highest zoom.
        #[arg(long, default_value_t = lbm_tiler::aggregate::pyramid::DEFAULT_MAXZOOM)]
        maxzoom: u8,
        /// Change maps FROM:TO[,FROM:TO...]; `none` for none. Default: to the latest year from
        /// every earlier year.
        #[arg(long)]
        change: Option<String>,
        /// Files per tileset: MBTiles, PMTiles (one file for HTTP range requests) or both.
        #[arg(long, value_enum, default_value_t = OutputFormat::Mbtiles)]
        format: OutputFormat,
    },
    /// Write the basemap DIR/basemap.mbtiles: land, large waters, provinces, gemeenten and place
    /// names from the embedded open data, plus the wijken and buurten of the area files given.
    Basemap {
        /// Output folder (the tiles folder the server reads).
        #[arg(long)]
        out: PathBuf,
        /// Area boundaries (as for `build --areas`); repeatable. Their gemeenten replace the
        /// embedded 2024 ones, their wijken and buurten add boundaries and names.
        #[arg(long)]
        areas: Vec<PathBuf>,
        /// Attribution of the area files, added to the embedded sources'.
        #[arg(long)]
        attribution: Option<String>,
        /// The same in Dutch.
        #[arg(long)]
        attribution_nl: Option<String>,
        /// Files: MBTiles, PMTiles or both.
        #[arg(long, value_enum, default_value_t = OutputFormat::Mbtiles)]
        format: OutputFormat,
    },
    /// Print the metadata and per-zoom tile counts and sizes of an MBTiles file or a PMTiles
    /// archive (with its header).
    Inspect {
        /// The .mbtiles or .pmtiles file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `none` or `FROM:TO[,FROM:TO...]`.
/// `--pressure-class N|none` and `--pressure-since YEAR` as the build's option.
fn parse_pressure(class: &str, since: u16) -> anyhow::Result<Option<PressureOptions>> {
    if class.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let max_class = class.trim().parse::<u8>().map_err(|_| {
        anyhow::anyhow!("--pressure-class {class:?}: expected a class from 1 to 8, or none")
    })?;
    Ok(Some(PressureOptions { max_class, since }))
}

fn parse_changes(text: &str) -> Result<Vec<(u16, u16)>> {
    if text.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|pair| {
            let parsed = pair
                .split_once(':')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
            parsed.ok_or_else(|| {
                anyhow::anyhow!(
                    "--change: {pair:?} is not FROM:TO; expected e.g. 2018:2020, or none"
                )
            })
        })
        .collect()
}

fn run(cli: Cli) -> Result<()> {
    let progress = std::io::stderr().is_terminal();
    match cli.command {
        Command::Build {
            scores,
            open_data,
            out,
            years,
            measures,
            classes,
            minzoom,
            maxzoom,
            attribution,
            attribution_nl,
            no_index,
            gzip_level,
            change,
            areas,
            area_scores,
            development,
            format,
            afw_reference,
            pressure_class,
            pressure_since,
            grid_geometry,
            dry_run,
            strict,
        } => {
            // The release's files, found by name, and the ones given one by one.
            let release = lbm_tiler::input::open_data::Release::find(&open_data)?;
            let scores = match scores {
                Some(s) => s,
                None => release.scores(&open_data)?.to_path_buf(),
            };
            if !open_data.is_empty() {
                tracing::info!(
                    scores = %scores.display(),
                    area_scores = release.area_scores.len(),
                    areas = release.areas.len(),
                    release = release.name.as_deref().unwrap_or(""),
                    "open data found"
                );
                for (f, why) in &release.skipped {
                    tracing::info!(file = %f.display(), "not read: {why}");
                }
            }
            let mut o = BuildOptions::new(&scores, &out);
            o.pressure = parse_pressure(&pressure_class, pressure_since)?;
            if let Some(c) = classes {
                o.classification = ClassificationSet::load(&c)?;
            }
            o.afw_reference = afw_reference;
            o.years = years;
            o.measures = measures;
            o.minzoom = minzoom;
            o.maxzoom = maxzoom;
            o.progress = progress;
            o.write_index = !no_index;
            o.gzip_level = gzip_level;
            o.changes = change.as_deref().map(parse_changes).transpose()?;
            o.areas = areas;
            o.area_scores = area_scores;
            o.development = development;
            o.format = format;
            o.grid_geometry = grid_geometry;
            o.strict = strict;
            o.attribution_nl = attribution_nl.clone();
            release.apply(&mut o);
            if let Some(a) = attribution {
                o.attribution = a;
                o.attribution_nl = attribution_nl;
            }
            if dry_run {
                let plan = lbm_tiler::pipeline::dry_run::dry_run(&o)
                    .with_context(|| format!("checking the inputs of {}", scores.display()))?;
                if let Some(name) = &release.name {
                    println!("release      {name}");
                }
                print!("{plan}");
                for (f, why) in &release.skipped {
                    println!("not read     {}: {why}", f.display());
                }
                return Ok(());
            }
            let summary = lbm_tiler::build(&o)
                .with_context(|| format!("building tilesets from {}", scores.display()))?;
            print!("{summary}");
        }
        Command::Demo {
            out,
            bbox,
            years,
            measures,
            minzoom,
            maxzoom,
            change,
            format,
        } => {
            let mut o = DemoOptions::new(&out);
            if let Some(b) = bbox {
                let b: [f64; 4] = b.try_into().map_err(|_| {
                    anyhow::anyhow!("--bbox needs four numbers: xmin,ymin,xmax,ymax")
                })?;
                anyhow::ensure!(
                    b[0] < b[2] && b[1] < b[3],
                    "--bbox: expected xmin < xmax and ymin < ymax"
                );
                o.bbox = Some(b);
            }
            o.years = years;
            o.measures = measures;
            o.minzoom = minzoom;
            o.maxzoom = maxzoom;
            o.changes = change.as_deref().map(parse_changes).transpose()?;
            o.progress = progress;
            o.format = format;
            let summary = lbm_tiler::demo(&o)
                .with_context(|| format!("building the demo in {}", out.display()))?;
            print!("{summary}");
        }
        Command::Basemap {
            out,
            areas,
            attribution,
            attribution_nl,
            format,
        } => {
            let mut o = lbm_tiler::BasemapOptions::new(&out);
            for path in &areas {
                let file = lbm_tiler::input::areas::read_areas(path)
                    .with_context(|| format!("reading areas from {}", path.display()))?;
                o.areas.extend(file.areas);
            }
            o.areas_attribution = attribution.map(|a| (a, attribution_nl));
            o.format = format;
            o.progress = progress;
            for f in lbm_tiler::basemap(&o).context("writing the basemap")? {
                println!("{} ({} bytes)", f.path.display(), f.bytes);
            }
        }
        Command::Inspect { file } => {
            print!("{}", lbm_tiler::inspect(&file)?);
        }
    }
    Ok(())
}
