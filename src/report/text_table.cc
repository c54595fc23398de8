#include "report/text_table.h"

#include <algorithm>

namespace ff::report {

size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

TextTable::TextTable(std::vector<std::string> header, std::vector<Align> align)
    : header_(std::move(header)), align_(std::move(align)) {
  align_.resize(header_.size(), Align::kRight);
  if (!align_.empty() && align.empty()) align_[0] = Align::kLeft;
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

void TextTable::add_rule() { rows_.emplace_back(); }

std::string TextTable::render() const {
  std::vector<size_t> width(header_.size());
  for (size_t i = 0; i < header_.size(); ++i) width[i] = display_width(header_[i]);
  for (const auto& r : rows_) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], display_width(r[i]));
  }
  size_t total = 0;
  for (size_t w : width) total += w + 2;
  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      size_t pad = width[i] - display_width(cells[i]);
      if (i > 0) line += "  ";
      if (align_[i] == Align::kRight) line.append(pad, ' ');
      line += cells[i];
      if (align_[i] == Align::kLeft && i + 1 < cells.size()) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header_);
  std::string rule(total >= 2 ? total - 2 : 0, '-');
  out += rule + "\n";
  for (const auto& r : rows_) {
    if (r.empty()) {
      out += rule + "\n";
    } else {
      emit(r);
    }
  }
  return out;
}

}  // namespace ff::report
