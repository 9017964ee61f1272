//! The study's figure: one panel per (chain, field), log-log mitigated energy error against p2,
//! one coloured line per method ([`METHOD_COLORS`]). No text is drawn (no font backend is
//! linked); the legend lives in `docs/mitigation-study.md`. Grid lines mark decades.

use super::study::StudyRow;
use super::MitigateError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Method names and their colours, in legend order.
pub const METHOD_COLORS: [(&str, RGBColor); 10] = [
    ("noisy", RGBColor(0, 0, 0)),
    ("zne-linear-global", RGBColor(31, 119, 180)),
    ("zne-richardson-global", RGBColor(255, 127, 14)),
    ("zne-exp0-global", RGBColor(44, 160, 44)),
    ("zne-poly2-global", RGBColor(214, 39, 40)),
    ("zne-richardson-all", RGBColor(148, 103, 189)),
    ("zne-richardson-random", RGBColor(140, 86, 75)),
    ("cdr", RGBColor(227, 119, 194)),
    ("vncdr", RGBColor(127, 127, 127)),
    ("parametric", RGBColor(23, 190, 207)),
];

const FLOOR: f64 = 1e-7;

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    rows: &[StudyRow],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut panels: Vec<(usize, bool, f64)> = Vec::new();
    for r in rows {
        if !panels.contains(&(r.n, r.periodic, r.h)) {
            panels.push((r.n, r.periodic, r.h));
        }
    }
    let chains: Vec<(usize, bool)> = panels.iter().fold(Vec::new(), |mut v, p| {
        if !v.contains(&(p.0, p.1)) {
            v.push((p.0, p.1));
        }
        v
    });
    let cols = panels.len().div_ceil(chains.len().max(1)).max(1);
    let areas = root.split_evenly((chains.len().max(1), cols));
    let (pmin, pmax) = rows
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(r.p2), b.max(r.p2)));
    let (emin, emax) = (FLOOR, 10.0);
    for ((n, periodic, h), area) in panels.iter().zip(areas) {
        let mut chart = ChartBuilder::on(&area).margin(12).build_cartesian_2d(
            (pmin * 0.9..pmax * 1.1).log_scale(),
            (emin..emax).log_scale(),
        )?;
        let grey = RGBColor(220, 220, 220);
        let mut d = 1e-3_f64.min(pmin);
        while d <= pmax * 1.1 {
            for k in 1..10 {
                let x = d * k as f64;
                if x >= pmin * 0.9 && x <= pmax * 1.1 {
                    chart.draw_series(LineSeries::new(
                        vec![(x, emin), (x, emax)],
                        grey.stroke_width(if k == 1 { 2 } else { 1 }),
                    ))?;
                }
            }
            d *= 10.0;
        }
        let mut e = emin;
        while e <= emax {
            chart.draw_series(LineSeries::new(
                vec![(pmin * 0.9, e), (pmax * 1.1, e)],
                grey.stroke_width(1),
            ))?;
            e *= 10.0;
        }
        chart.draw_series(LineSeries::new(
            vec![
                (pmin * 0.9, emin),
                (pmax * 1.1, emin),
                (pmax * 1.1, emax),
                (pmin * 0.9, emax),
                (pmin * 0.9, emin),
            ],
            BLACK.stroke_width(1),
        ))?;
        for (method, color) in METHOD_COLORS {
            let pts: Vec<(f64, f64)> = rows
                .iter()
                .filter(|r| r.n == *n && r.periodic == *periodic && r.h == *h && r.method == method)
                .map(|r| (r.p2, r.error.max(FLOOR)))
                .collect();
            let width = if method == "noisy" { 3 } else { 2 };
            chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(width)))?;
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
        }
    }
    root.present()
}

/// Writes the figure as PNG or SVG (by extension), via a temporary file renamed on success.
pub fn plot_study(rows: &[StudyRow], path: &Path) -> Result<(), MitigateError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |error: std::io::Error| MitigateError::Io {
        path: path.display().to_string(),
        error,
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let tmp = tempfile::Builder::new()
        .suffix(&format!(".{ext}"))
        .tempfile_in(dir)
        .map_err(io)?;
    let size = (1500, 900);
    let fail =
        |e: String| MitigateError::Invalid(format!("{}: plotting failed: {e}", path.display()));
    match ext.as_str() {
        "svg" => draw(SVGBackend::new(tmp.path(), size).into_drawing_area(), rows)
            .map_err(|e| fail(e.to_string()))?,
        "png" => draw(
            BitMapBackend::new(tmp.path(), size).into_drawing_area(),
            rows,
        )
        .map_err(|e| fail(e.to_string()))?,
        other => {
            return Err(MitigateError::Invalid(format!(
                "{}: unsupported plot format '{other}' (expected .png or .svg)",
                path.display()
            )))
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
