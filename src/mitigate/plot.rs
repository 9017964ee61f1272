//! The study's figure: one panel per (chain, field), log-log mitigated energy error against p2,
//! one coloured line per method ([`METHOD_COLORS`]), a legend strip on top. Text is drawn in the
//! embedded font of [`crate::plot`].

use super::study::StudyRow;
use super::MitigateError;
use crate::io::AtomicOutput;
use crate::plot::{plot_format, PlotFormat};
use crate::plot::{register_font, FONT};
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

/// Height of the legend strip above the panels.
const LEGEND_HEIGHT: u32 = 70;

/// The legend: a coloured line and the method's name, in two rows.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let per_row = METHOD_COLORS.len().div_ceil(2);
    let width = area.dim_in_pixel().0 as i32 / per_row as i32;
    for (k, (method, color)) in METHOD_COLORS.iter().enumerate() {
        let x = 20 + width * (k % per_row) as i32;
        let y = 20 + 28 * (k / per_row) as i32;
        area.draw(&PathElement::new(
            vec![(x, y), (x + 24, y)],
            color.stroke_width(3),
        ))?;
        area.draw(&Text::new(
            method.to_string(),
            (x + 32, y - 8),
            (FONT, 15).into_font(),
        ))?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    rows: &[StudyRow],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    register_font();
    root.fill(&WHITE)?;
    let (legend, grid) = root.split_vertically(LEGEND_HEIGHT);
    draw_legend(&legend)?;
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
    let areas = grid.split_evenly((chains.len().max(1), cols));
    let (pmin, pmax) = rows
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(r.p2), b.max(r.p2)));
    let (emin, emax) = (FLOOR, 10.0);
    // Ticks at the measured noise rates (plotters' own log ticks crowd within a decade).
    let mut p2_ticks: Vec<f64> = rows.iter().map(|r| r.p2).collect();
    p2_ticks.sort_by(f64::total_cmp);
    p2_ticks.dedup();
    for ((n, periodic, h), area) in panels.iter().zip(areas) {
        let boundary = if *periodic { "periodic" } else { "open" };
        let mut chart = ChartBuilder::on(&area)
            .caption(format!("{n} spins, {boundary}, h = {h}"), (FONT, 17))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (pmin * 0.9..pmax * 1.1)
                    .log_scale()
                    .with_key_points(p2_ticks.clone()),
                (emin..emax).log_scale(),
            )?;
        chart
            .configure_mesh()
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(BLACK.mix(0.04))
            .x_desc("two-qubit depolarizing p2")
            .y_desc("|E_mitigated - E_ideal|")
            .x_label_formatter(&|x| format!("{x:.0e}"))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .draw()?;
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
    let io = |error: std::io::Error| MitigateError::Io {
        path: path.display().to_string(),
        error,
    };
    let format = plot_format(path).map_err(|e| MitigateError::Invalid(e.to_string()))?;
    let suffix = match format {
        PlotFormat::Png => ".png",
        PlotFormat::Svg => ".svg",
    };
    let out = AtomicOutput::create_with_suffix(path, suffix).map_err(io)?;
    let size = (1500, 970);
    let fail =
        |e: String| MitigateError::Invalid(format!("{}: plotting failed: {e}", path.display()));
    if format == PlotFormat::Svg {
        draw(
            SVGBackend::new(out.temp_path(), size).into_drawing_area(),
            rows,
        )
        .map_err(|e| fail(e.to_string()))?;
    } else {
        draw(
            BitMapBackend::new(out.temp_path(), size).into_drawing_area(),
            rows,
        )
        .map_err(|e| fail(e.to_string()))?;
    }
    out.commit().map_err(io)?;
    Ok(())
}
