#include "report/html.h"

#include <fmt/format.h>

#include "report/svg_chart.h"

namespace ff::report {

std::string page(std::string_view title, std::string_view body_html) {
  const std::string t = xml_escape(std::string(title));
  std::string out = fmt::format(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n",
      t);
  out += kStyleCss;
  out += fmt::format(
      "</style>\n</head>\n<body>\n<header class=\"top\"><div class=\"brand\">flashfirst</div>"
      "<div class=\"report-title\">{}</div></header>\n<main>\n",
      t);
  out += body_html;
  out += "</main>\n</body>\n</html>\n";
  return out;
}

std::string card(std::string_view label, std::string_view big_html, const std::vector<std::string>& lines_html) {
  std::string out = fmt::format("<div class=\"card\"><div class=\"label\">{}</div><div class=\"big\">{}</div>",
                                label, big_html);
  for (const std::string& l : lines_html) out += fmt::format("<div class=\"sub\">{}</div>", l);
  out += "</div>";
  return out;
}

std::string cards(const std::vector<std::string>& cards_html) {
  std::string out = "<div class=\"cards\">";
  for (const std::string& c : cards_html) out += c;
  out += "</div>\n";
  return out;
}

std::string table(std::string_view caption, const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows_html, const std::vector<bool>& numeric,
                  bool wrap) {
  auto cls = [&](std::size_t i) { return i < numeric.size() && numeric[i] ? " class=\"num\"" : ""; };
  std::string out =
      fmt::format("<table{}><caption class=\"sr-only\">{}</caption><thead><tr>", wrap ? " class=\"wrap\"" : "", caption);
  for (std::size_t i = 0; i < headers.size(); ++i) out += fmt::format("<th scope=\"col\"{}>{}</th>", cls(i), headers[i]);
  out += "</tr></thead><tbody>";
  for (const auto& row : rows_html) {
    out += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) out += fmt::format("<td{}>{}</td>", cls(i), row[i]);
    out += "</tr>";
  }
  out += "</tbody></table>";
  return out;
}

std::string panel(std::string_view title, std::string_view inner_html, bool wide) {
  return fmt::format("<section class=\"panel{}\"><h2>{}</h2>{}</section>\n", wide ? " wide" : "", title, inner_html);
}

std::string grid(const std::vector<std::string>& panels_html) {
  std::string out = "<div class=\"grid\">\n";
  for (const std::string& p : panels_html) out += p;
  out += "</div>\n";
  return out;
}

}  // namespace ff::report
