#include "router/request_lines.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace ff::router {

namespace dom = simdjson::dom;

std::string RequestLine::display_id() const {
  if (id.empty()) return fmt::format("line {}", line);
  if (id.size() >= 2 && id.front() == '"') return id.substr(1, id.size() - 2);
  return id;
}

namespace {

// Reads one JSONL line: a bare request, or {"id", "request"} (with "category"
// and "tier" labels when `labelled`).
RequestLine read_item(dom::parser& parser, std::string_view line, std::int64_t number, bool labelled) {
  RequestLine it;
  it.line = number;
  dom::element root;
  if (auto err = parser.parse(line.data(), line.size()).get(root)) {
    it.error = fmt::format("not valid JSON: {}", simdjson::error_message(err));
    return it;
  }
  if (root.type() != dom::element_type::OBJECT) {
    it.error = "a line must be a JSON object";
    return it;
  }
  dom::element id, request;
  if (root["id"].get(id) == simdjson::SUCCESS) it.id = simdjson::to_string(id);
  if (root["request"].get(request) == simdjson::SUCCESS) {
    it.body = simdjson::to_string(request);
  } else if (labelled) {
    it.error = "a labelled line needs {\"id\", \"category\", \"tier\", \"request\": {...}}";
    return it;
  } else {
    it.body = std::string(line);
  }
  if (labelled) {
    std::string_view s;
    if (root["category"].get_string().get(s) || !(it.category = parse_category(s))) {
      it.error = "field `category` must name one of the router's 11 categories";
      return it;
    }
    if (root["tier"].get_string().get(s) || (s != "flash" && s != "pro")) {
      it.error = "field `tier` must be \"flash\" or \"pro\"";
      return it;
    }
    it.tier = s == "pro" ? core::Tier::kPro : core::Tier::kFlash;
  }
  return it;
}

}  // namespace

std::vector<RequestLine> parse_request_lines(std::string_view text, bool labelled) {
  dom::parser parser;
  std::vector<RequestLine> items;
  dom::element whole;
  std::string_view all = text;
  // One document (possibly pretty-printed over many lines), else JSON Lines.
  if (!labelled && parser.parse(all.data(), all.size()).get(whole) == simdjson::SUCCESS) {
    items.push_back(read_item(parser, all, 1, labelled));
    return items;
  }
  std::int64_t number = 0;
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t nl = all.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? all.size() : nl;
    std::string_view line = all.substr(start, end - start);
    ++number;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    items.push_back(read_item(parser, line, number, labelled));
  }
  return items;
}

}  // namespace ff::router
