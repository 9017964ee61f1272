//! Logical-error-rate curves as PNG or SVG (plotters).
//!
//! Curves are drawn with their 95% Wilson intervals as error bars, and the fitted threshold
//! as a vertical line; title, axis ticks and descriptions and a legend are drawn in DejaVu Sans,
//! embedded in the binary (registered with plotters' `ab_glyph` renderer), so PNGs carry text
//! without any system font and look the same on every machine.

use crate::io::AtomicOutput;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io::Write as _;
use std::path::Path;
use std::sync::Once;

/// One curve: a label and points `(p, rate, low, high)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Legend text (e.g. `mwpm L=8`).
    pub label: String,
    /// `(physical rate, logical rate, interval low, interval high)`, ordered by `p`.
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// Why a plot could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The extension is neither `.png` nor `.svg`.
    #[error("{0}: plots are written as .png or .svg")]
    Format(String),
    /// Drawing failed.
    #[error("{path}: drawing failed: {message}")]
    Draw {
        /// Target file.
        path: String,
        /// The backend's message.
        message: String,
    },
    /// Writing failed.
    #[error("{path}: {err}")]
    Io {
        /// Target file.
        path: String,
        /// The I/O error.
        err: std::io::Error,
    },
}

const SIZE: (u32, u32) = (900, 650);
const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Axis ranges covering all points with a little room.
fn ranges(curves: &[Curve]) -> ((f64, f64), (f64, f64)) {
    let pts = curves.iter().flat_map(|c| c.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(p, _, lo, hi) in pts {
        x0 = x0.min(p);
        x1 = x1.max(p);
        y0 = y0.min(lo);
        y1 = y1.max(hi);
    }
    if !x0.is_finite() {
        return ((0.0, 1.0), (0.0, 1.0));
    }
    let dx = ((x1 - x0) * 0.05).max(1e-6);
    let dy = ((y1 - y0) * 0.05).max(1e-6);
    ((x0 - dx, x1 + dx), ((y0 - dy).max(0.0), y1 + dy))
}

/// The font family every text of a plot uses.
pub(crate) const FONT: &str = "sans-serif";

/// Registers the embedded DejaVu Sans as [`FONT`] (once per process).
pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font shipped by the `dejavu` crate.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    curves: &[Curve],
    threshold: Option<f64>,
    title: &str,
) -> Result<(), String> {
    register_font();
    let ((x0, x1), (y0, y1)) = ranges(curves);
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.15))
        .light_line_style(BLACK.mix(0.04))
        .x_desc("physical error rate p")
        .y_desc("logical error rate P_L")
        .x_label_formatter(&|x| format!("{x:.3}"))
        .y_label_formatter(&|y| format!("{y:.3}"))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16))
        .draw()
        .map_err(|e| e.to_string())?;
    if let Some(t) = threshold.filter(|t| (x0..x1).contains(t)) {
        let style = BLACK.mix(0.4);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(t, y0), (t, y1)],
                style,
            )))
            .map_err(|e| e.to_string())?
            .label(format!("fitted p_th = {t:.4}"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    for (k, c) in curves.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        chart
            .draw_series(LineSeries::new(
                c.points.iter().map(|&(p, r, _, _)| (p, r)),
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(c.label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                c.points
                    .iter()
                    .map(|&(p, r, _, _)| Circle::new((p, r), 4, color.filled())),
            )
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(
                c.points
                    .iter()
                    .map(|&(p, _, lo, hi)| PathElement::new(vec![(p, lo), (p, hi)], color)),
            )
            .map_err(|e| e.to_string())?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 14))
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// A plot file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotFormat {
    /// PNG bitmap.
    Png,
    /// SVG vector graphics.
    Svg,
}

/// The format of a plot at `path`, from its extension (`.png` or `.svg`, any case); commands
/// call it on `--plot` before their work, so that a wrong name fails at once.
pub fn plot_format(path: impl AsRef<Path>) -> Result<PlotFormat, PlotError> {
    let path = path.as_ref();
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => Ok(PlotFormat::Png),
        Some("svg") => Ok(PlotFormat::Svg),
        _ => Err(PlotError::Format(path.display().to_string())),
    }
}

/// Draws `curves` to `path` (`.png` or `.svg`, chosen by extension), written atomically.
pub fn plot_curves(
    path: impl AsRef<Path>,
    curves: &[Curve],
    threshold: Option<f64>,
    title: &str,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    let format = plot_format(path)?;
    let name = path.display().to_string();
    let draw_err = |message: String| PlotError::Draw {
        path: name.clone(),
        message,
    };
    let io_err = |err: std::io::Error| PlotError::Io {
        path: name.clone(),
        err,
    };
    match format {
        PlotFormat::Svg => {
            let mut svg = String::new();
            draw(
                SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(),
                curves,
                threshold,
                title,
            )
            .map_err(draw_err)?;
            let mut out = AtomicOutput::create(path).map_err(io_err)?;
            out.write_all(svg.as_bytes()).map_err(io_err)?;
            out.commit().map_err(io_err)?;
            Ok(())
        }
        PlotFormat::Png => {
            let out = AtomicOutput::create_with_suffix(path, ".png").map_err(io_err)?;
            draw(
                BitMapBackend::new(out.temp_path(), SIZE).into_drawing_area(),
                curves,
                threshold,
                title,
            )
            .map_err(draw_err)?;
            out.commit().map_err(io_err)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curves() -> Vec<Curve> {
        vec![
            Curve {
                label: "L=8".into(),
                points: vec![(0.1, 0.2, 0.18, 0.22), (0.12, 0.3, 0.28, 0.32)],
            },
            Curve {
                label: "L=12".into(),
                points: vec![(0.1, 0.15, 0.13, 0.17), (0.12, 0.35, 0.33, 0.37)],
            },
        ]
    }

    #[test]
    fn writes_svg_with_labels_and_png() {
        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("c.svg");
        plot_curves(&svg, &curves(), Some(0.11), "toric <mwpm>").unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
        assert!(text.contains("L=12") && text.contains("toric &lt;mwpm&gt;"));
        assert!(text.contains("physical error rate p") && text.contains("fitted p_th = 0.1100"));
        let png = dir.path().join("c.png");
        plot_curves(&png, &curves(), None, "t").unwrap();
        assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&png).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644, "plots are readable like other outputs");
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary files left"
        );
        assert!(matches!(
            plot_curves(dir.path().join("c.pdf"), &curves(), None, "t"),
            Err(PlotError::Format(_))
        ));
    }

    /// Dark pixels in rows `rows` of an RGB image of width `SIZE.0`.
    fn ink(buf: &[u8], rows: std::ops::Range<usize>) -> usize {
        let w = SIZE.0 as usize;
        buf[rows.start * w * 3..rows.end * w * 3]
            .chunks(3)
            .filter(|px| px.iter().all(|&c| c < 100))
            .count()
    }

    #[test]
    fn bitmaps_carry_the_title_from_the_embedded_font() {
        let mut with_title = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
        let mut without = with_title.clone();
        for (buf, title) in [(&mut with_title, "logical error rate"), (&mut without, "")] {
            let root = BitMapBackend::with_buffer(buf, SIZE).into_drawing_area();
            draw(root, &curves(), None, title).unwrap();
        }
        // The caption band (top 40 rows) has ink only when there is a title to write.
        assert!(ink(&with_title, 0..40) > 100, "{}", ink(&with_title, 0..40));
        assert_eq!(ink(&without, 0..40), 0);
    }
}
