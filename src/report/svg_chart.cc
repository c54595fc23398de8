#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ff::report {

namespace {

constexpr double kWidth = 760, kHeight = 340;
constexpr double kLeft = 70, kRight = 170, kTop = 40, kBottom = 60;
// The dashboard's colours first (Flash blue, Pro orange, then the cache-hit green), so the
// reports and the dashboard draw alike.
constexpr const char* kColors[] = {"#0b5cad", "#b4461b", "#1d7a46", "#7b3fa0", "#9a5b00", "#52606d"};

// A "nice" axis maximum and step (1, 2 or 5 times a power of ten).
std::pair<double, double> nice_axis(double max_value) {
  if (!(max_value > 0)) return {1, 0.25};
  double raw = max_value / 5;
  double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  }
  return {std::ceil(max_value / step) * step, step};
}

// A tick value with as many decimals as the axis step needs (step 0.25 -> "0.75").
std::string tick_label(double v, double step) {
  int decimals = 0;
  while (decimals < 9 && std::fabs(step * std::pow(10, decimals) - std::round(step * std::pow(10, decimals))) > 1e-9) {
    ++decimals;
  }
  return fmt::format("{:.{}f}", v, decimals);
}

// A data value for a tooltip.
std::string value_label(double v) { return fmt::format("{:.6g}", v); }

std::string frame(const std::string& title, const std::string& x_label, const std::string& y_label, double y_max,
                  double y_step) {
  std::string s = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {1}" width="{0}" height="{1}" role="img" )"
      R"(font-family="system-ui,sans-serif" font-size="12"><title>{2}</title>)"
      R"(<text x="{3}" y="22" font-size="15" font-weight="600">{2}</text>)",
      kWidth, kHeight, xml_escape(title), kLeft);
  const double plot_h = kHeight - kTop - kBottom;
  for (double v = 0; v <= y_max + y_step / 2; v += y_step) {
    double y = kTop + plot_h - v / y_max * plot_h;
    s += fmt::format(R"(<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="#e5e7eb"/>)", kLeft, y, kWidth - kRight,
                     y);
    s += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end" fill="#374151">{}</text>)", kLeft - 6, y + 4,
                     tick_label(v, y_step));
  }
  s += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" fill="#374151">{}</text>)",
                   kLeft + (kWidth - kLeft - kRight) / 2, kHeight - 12, xml_escape(x_label));
  s += fmt::format(
      R"svg(<text transform="translate(16,{}) rotate(-90)" text-anchor="middle" fill="#374151">{}</text>)svg",
      kTop + plot_h / 2, xml_escape(y_label));
  return s;
}

std::string legend(const std::vector<Series>& series) {
  std::string s;
  for (size_t i = 0; i < series.size(); ++i) {
    double y = kTop + 10 + static_cast<double>(i) * 20;
    s += fmt::format(R"(<rect x="{}" y="{}" width="12" height="12" fill="{}"/>)", kWidth - kRight + 16, y - 10,
                     kColors[i % std::size(kColors)]);
    s += fmt::format(R"(<text x="{}" y="{}">{}</text>)", kWidth - kRight + 34, y, xml_escape(series[i].name));
  }
  return s;
}

}  // namespace

std::string xml_escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string stacked_bar_chart(const std::string& title, const std::vector<std::string>& categories,
                              const std::vector<Series>& series, const std::string& y_label) {
  double max_total = 0;
  for (size_t c = 0; c < categories.size(); ++c) {
    double t = 0;
    for (const Series& s : series) t += c < s.values.size() ? s.values[c] : 0;
    max_total = std::max(max_total, t);
  }
  auto [y_max, y_step] = nice_axis(max_total);
  std::string s = frame(title, "day (UTC)", y_label, y_max, y_step);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const double slot = categories.empty() ? plot_w : plot_w / static_cast<double>(categories.size());
  const double bar = std::max(1.0, slot * 0.7);
  const size_t label_every = std::max<size_t>(1, categories.size() / 10);
  for (size_t c = 0; c < categories.size(); ++c) {
    double x = kLeft + slot * static_cast<double>(c) + (slot - bar) / 2;
    double base = kTop + plot_h;
    for (size_t i = 0; i < series.size(); ++i) {
      double v = c < series[i].values.size() ? series[i].values[c] : 0;
      double h = v / y_max * plot_h;
      if (h <= 0) continue;
      base -= h;
      s += fmt::format(
          R"(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{} {}: {}</title></rect>)", x,
          base, bar, h, kColors[i % std::size(kColors)], xml_escape(categories[c]), xml_escape(series[i].name),
          value_label(v));
    }
    if (c % label_every == 0) {
      s += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" fill="#374151" font-size="10">{}</text>)",
                       x + bar / 2, kTop + plot_h + 16, xml_escape(categories[c]));
    }
  }
  s += legend(series);
  s += "</svg>";
  return s;
}

std::string line_chart(const std::string& title, const std::vector<double>& xs, const std::vector<Series>& series,
                       const std::string& x_label, const std::string& y_label, std::optional<double> marker_x,
                       const std::string& marker_label) {
  double max_y = 0;
  for (const Series& se : series) {
    for (double v : se.values) max_y = std::max(max_y, v);
  }
  auto [y_max, y_step] = nice_axis(max_y);
  std::string s = frame(title, x_label, y_label, y_max, y_step);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const double x_min = xs.empty() ? 0 : xs.front(), x_max = xs.empty() ? 1 : xs.back();
  auto px = [&](double x) { return kLeft + (x - x_min) / (x_max - x_min) * plot_w; };
  auto py = [&, y_max = y_max](double y) { return kTop + plot_h - y / y_max * plot_h; };
  for (int i = 0; i <= 4; ++i) {
    double x = x_min + (x_max - x_min) * i / 4;
    s += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" fill="#374151">{}</text>)", px(x),
                     kTop + plot_h + 16, tick_label(x, (x_max - x_min) / 4));
  }
  for (size_t i = 0; i < series.size(); ++i) {
    std::string points;
    for (size_t k = 0; k < xs.size() && k < series[i].values.size(); ++k) {
      points += fmt::format("{:.1f},{:.1f} ", px(xs[k]), py(series[i].values[k]));
    }
    s += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>)",
                     kColors[i % std::size(kColors)], points);
  }
  if (marker_x) {
    double x = px(*marker_x);
    s += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#111827" stroke-dasharray="4 3"/>)",
                     x, kTop, kTop + plot_h);
    s += fmt::format(R"(<text x="{:.1f}" y="{}" fill="#111827">{}</text>)", x + 4, kTop + 12, xml_escape(marker_label));
  }
  s += legend(series);
  s += "</svg>";
  return s;
}

std::string scatter_chart(const std::string& title, const std::vector<Point>& points, const std::string& x_label,
                          const std::string& y_label) {
  double max_x = 0, max_y = 0;
  for (const Point& p : points) {
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
  }
  auto [y_max, y_step] = nice_axis(max_y);
  auto [x_max, x_step] = nice_axis(max_x);
  std::string s = frame(title, x_label, y_label, y_max, y_step);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&, x_max = x_max](double x) { return kLeft + x / x_max * plot_w; };
  auto py = [&, y_max = y_max](double y) { return kTop + plot_h - y / y_max * plot_h; };
  for (double x = 0; x <= x_max + x_step / 2; x += x_step) {
    s += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" fill="#374151">{}</text>)", px(x),
                     kTop + plot_h + 16, tick_label(x, x_step));
  }
  std::vector<Point> front;
  for (const Point& p : points) {
    if (p.highlight) front.push_back(p);
  }
  std::sort(front.begin(), front.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
  std::string line;
  for (const Point& p : front) line += fmt::format("{:.1f},{:.1f} ", px(p.x), py(p.y));
  if (front.size() > 1) {
    s += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>)", kColors[0], line);
  }
  for (const Point& p : points) {
    s += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="6" fill="{}" stroke="{}" stroke-width="2"/>)", px(p.x),
                     py(p.y), p.highlight ? kColors[0] : "white", kColors[0]);
    s += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" fill="#111827">{}</text>)", px(p.x) + 9, py(p.y) - 8,
                     xml_escape(p.label));
  }
  s += "</svg>";
  return s;
}

}  // namespace ff::report
