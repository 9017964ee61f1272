//! Logical-error-rate curves as PNG or SVG (plotters, no system fonts).
//!
//! Curves are drawn with their 95% Wilson intervals as error bars, and the fitted threshold
//! as a vertical line. The PNG carries no text (plotters would need system fonts for it); the
//! SVG gets its title, axis ranges and legend as SVG text elements, which any viewer renders.

use crate::io::AtomicOutput;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

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
const MARGIN: u32 = 60;
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

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    curves: &[Curve],
    threshold: Option<f64>,
) -> Result<(), String> {
    let ((x0, x1), (y0, y1)) = ranges(curves);
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .margin(MARGIN)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    let frame = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)];
    chart
        .draw_series(std::iter::once(PathElement::new(frame.to_vec(), BLACK)))
        .map_err(|e| e.to_string())?;
    if let Some(t) = threshold.filter(|t| (x0..x1).contains(t)) {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(t, y0), (t, y1)],
                BLACK.mix(0.4),
            )))
            .map_err(|e| e.to_string())?;
    }
    for (k, c) in curves.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        chart
            .draw_series(LineSeries::new(
                c.points.iter().map(|&(p, r, _, _)| (p, r)),
                color.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
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
    root.present().map_err(|e| e.to_string())
}

/// SVG text elements: title, axis ranges and legend, placed in the margins.
fn svg_labels(curves: &[Curve], title: &str, threshold: Option<f64>) -> String {
    let ((x0, x1), (y0, y1)) = ranges(curves);
    let (w, h) = (SIZE.0 as f64, SIZE.1 as f64);
    let m = MARGIN as f64;
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut s = String::new();
    let mut text = |x: f64, y: f64, anchor: &str, color: &str, t: &str| {
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{y:.1}" font-family="sans-serif" font-size="14" text-anchor="{anchor}" fill="{color}">{}</text>"#,
            esc(t)
        );
    };
    text(w / 2.0, m / 2.0, "middle", "black", title);
    text(m, h - m + 20.0, "start", "black", &format!("{x0:.4}"));
    text(w - m, h - m + 20.0, "end", "black", &format!("{x1:.4}"));
    text(
        w / 2.0,
        h - m / 4.0,
        "middle",
        "black",
        "physical error rate p",
    );
    text(m - 6.0, h - m, "end", "black", &format!("{y0:.3}"));
    text(m - 6.0, m + 10.0, "end", "black", &format!("{y1:.3}"));
    text(m / 3.0, h / 2.0, "middle", "black", "P_L");
    if let Some(t) = threshold {
        text(
            w - m,
            m - 8.0,
            "end",
            "gray",
            &format!("fitted p_th = {t:.4}"),
        );
    }
    for (k, c) in curves.iter().enumerate() {
        let RGBColor(r, g, b) = COLORS[k % COLORS.len()];
        text(
            m + 12.0,
            m + 24.0 + 18.0 * k as f64,
            "start",
            &format!("rgb({r},{g},{b})"),
            &c.label,
        );
    }
    s
}

/// Draws `curves` to `path` (`.png` or `.svg`, chosen by extension), written atomically.
pub fn plot_curves(
    path: &Path,
    curves: &[Curve],
    threshold: Option<f64>,
    title: &str,
) -> Result<(), PlotError> {
    let name = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let draw_err = |message: String| PlotError::Draw {
        path: name.clone(),
        message,
    };
    let io_err = |err: std::io::Error| PlotError::Io {
        path: name.clone(),
        err,
    };
    match ext.as_deref() {
        Some("svg") => {
            let mut svg = String::new();
            draw(
                SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(),
                curves,
                threshold,
            )
            .map_err(draw_err)?;
            let labels = svg_labels(curves, title, threshold);
            let svg = match svg.rfind("</svg>") {
                Some(i) => format!("{}{labels}{}", &svg[..i], &svg[i..]),
                None => svg,
            };
            let mut out = AtomicOutput::create(path).map_err(io_err)?;
            out.write_all(svg.as_bytes()).map_err(io_err)?;
            out.commit().map_err(io_err)?;
            Ok(())
        }
        Some("png") => {
            let out = AtomicOutput::create_with_suffix(path, ".png").map_err(io_err)?;
            draw(
                BitMapBackend::new(out.temp_path(), SIZE).into_drawing_area(),
                curves,
                threshold,
            )
            .map_err(draw_err)?;
            out.commit().map_err(io_err)?;
            Ok(())
        }
        _ => Err(PlotError::Format(name)),
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
        assert!(
            text.contains("L=12") && text.contains("toric &lt;mwpm&gt;") && text.contains("0.1100")
        );
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
            plot_curves(&dir.path().join("c.pdf"), &curves(), None, "t"),
            Err(PlotError::Format(_))
        ));
    }
}
