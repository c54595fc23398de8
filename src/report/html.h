// The look the dashboard and the self-contained HTML reports (`cost --html`,
// `simulate --html`, `eval --html`) share: one stylesheet (src/report/style.css,
// which the dashboard serves as /ui/style.css and each report inlines) and the
// same building blocks: headline cards first, then panels with charts and real
// tables. The functions return HTML; text arguments are escaped by the caller
// (xml_escape) unless they are named `html`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ff::report {

// The stylesheet, compiled in.
extern const std::string_view kStyleCss;

// A whole self-contained page: the stylesheet inlined, a header bar naming the
// report, then `body_html` in the page's main column.
std::string page(std::string_view title, std::string_view body_html);

// A headline card: a label, one big figure and lines under it.
std::string card(std::string_view label, std::string_view big_html, const std::vector<std::string>& lines_html);
// Cards in a row that wraps.
std::string cards(const std::vector<std::string>& cards_html);

// A table: a header row and rows of cells (HTML); `numeric[i]` aligns column i
// right. `caption` is for screen readers; `wrap` lets long text cells wrap.
std::string table(std::string_view caption, const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows_html, const std::vector<bool>& numeric,
                  bool wrap = false);

// A titled panel holding a chart or a table; `wide` spans the whole grid.
std::string panel(std::string_view title, std::string_view inner_html, bool wide = false);
// Panels side by side where they fit.
std::string grid(const std::vector<std::string>& panels_html);

}  // namespace ff::report
