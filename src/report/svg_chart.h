// SVG charts for self-contained HTML reports.
//
// Each function returns one <svg> element with its own styles, axis labels and a
// legend. Values are doubles: charts are for looking at, never for exact sums.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ff::report {

struct Series {
  std::string name;
  std::vector<double> values;  // one per category (bars) or per x (lines)
};

// Stacked bars, one bar per category (e.g. a day), one colour per series.
std::string stacked_bar_chart(const std::string& title, const std::vector<std::string>& categories,
                              const std::vector<Series>& series, const std::string& y_label);

// Lines over shared x values; `marker_x`, if given, draws a labelled vertical line.
std::string line_chart(const std::string& title, const std::vector<double>& xs, const std::vector<Series>& series,
                       const std::string& x_label, const std::string& y_label, std::optional<double> marker_x,
                       const std::string& marker_label);

struct Point {
  std::string label;
  double x = 0, y = 0;
  bool highlight = false;  // drawn filled and joined by a line (e.g. a Pareto front)
};

// Labelled points; the highlighted ones are joined in order of x.
std::string scatter_chart(const std::string& title, const std::vector<Point>& points, const std::string& x_label,
                          const std::string& y_label);

// Escapes text for HTML and SVG.
std::string xml_escape(const std::string& s);

}  // namespace ff::report
