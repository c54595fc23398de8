// TextTable: a table for the terminal, columns aligned by display width.
//
// Cells are UTF-8; width counts code points (wide CJK glyphs count as one, which
// only matters for model names, all ASCII in practice). Numbers are right-aligned
// by marking their column.
#pragma once

#include <string>
#include <vector>

namespace ff::report {

class TextTable {
 public:
  enum class Align { kLeft, kRight };

  explicit TextTable(std::vector<std::string> header, std::vector<Align> align = {});
  void add_row(std::vector<std::string> cells);
  // A horizontal rule before the next row.
  void add_rule();
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a rule
};

// Display width of a UTF-8 string in code points.
size_t display_width(const std::string& s);

}  // namespace ff::report
