// The one reader of config files' settings (core/config_file.h): each kind of
// value, and the one shape of its errors, "file:line: field.path: message".
#include <gtest/gtest.h>

#include <string>

#include "core/config_file.h"

namespace ff::core {
namespace {

// The message of what `read` returns for the document `text`, or "ok".
template <typename Read>
std::string message(const std::string& text, Read read) {
  auto doc = parse_toml(text, "c.toml");
  if (!doc.ok()) return doc.error().message;
  const ConfigReader rd("c.toml", text);
  std::optional<Error> e = read(rd, *doc);
  return e ? e->message : "ok";
}

TEST(ConfigReader, PathsOfFields) {
  EXPECT_EQ(field_path("", "speed"), "speed");
  EXPECT_EQ(field_path("faults", "overloaded"), "faults.overloaded");
  EXPECT_EQ(field_path(element_path("rates", 2), "flat"), "rates[2].flat");
}

TEST(ConfigReader, RangesSayWhatTheyHold) {
  EXPECT_EQ(Range::of(0, 1).describe(), "from 0 to 1");
  EXPECT_EQ(Range::of(0.1, 1e6).describe(), "from 0.1 to 1000000");
  EXPECT_EQ(Range::more_than(0).describe(), "above 0");
  EXPECT_EQ(Range::more_than(0, 10).describe(), "above 0 and at most 10");
  EXPECT_EQ((Range{5}).describe(), "of at least 5");
  EXPECT_EQ(Range::of(0, 1e18).describe(), "from 0 to 1000000000000000000");  // not 1e+18
  EXPECT_EQ(Range::of(0, 9e15).describe(), "from 0 to 9000000000000000");
  EXPECT_TRUE(Range::of(0, 1).holds(0));
  EXPECT_TRUE(Range::of(0, 1).holds(1));
  EXPECT_FALSE(Range::more_than(0, 10).holds(0));
  EXPECT_TRUE(Range::more_than(0, 10).holds(10));
  EXPECT_FALSE(Range::more_than(0, 10).holds(10.5));
}

TEST(ConfigReader, NumbersInRange) {
  double v = 7;
  auto number = [&](const ConfigReader& rd, const toml::table& t) {
    const toml::table* faults = nullptr;
    if (auto e = rd.table(t, "", "faults", faults)) return e;
    return rd.number(*faults, "faults", "rate", Range::of(0, 1), v);
  };
  EXPECT_EQ(message("[faults]\nrate = 0.25\n", number), "ok");
  EXPECT_EQ(v, 0.25);
  EXPECT_EQ(message("[faults]\nrate = 1\n", number), "ok");  // an integer is a number too
  EXPECT_EQ(v, 1);
  EXPECT_EQ(message("[faults]\n\nrate = 1.5\n", number), "c.toml:3: faults.rate: must be a number from 0 to 1");
  EXPECT_EQ(message("[faults]\nrate = \"0.5\"\n", number), "c.toml:2: faults.rate: must be a number from 0 to 1");
  EXPECT_EQ(message("faults = 3\n", number), "c.toml:1: faults: must be a table");
  v = 7;
  EXPECT_EQ(message("[faults]\n", number), "ok");  // absent: left as it was
  EXPECT_EQ(v, 7);
}

TEST(ConfigReader, WholeNumbersStringsChoicesAndBooleans) {
  std::int64_t n = 0;
  auto whole = [&](const ConfigReader& rd, const toml::table& t) { return rd.whole_number(t, "", "rpm", 1, 100, n); };
  EXPECT_EQ(message("rpm = 60\n", whole), "ok");
  EXPECT_EQ(n, 60);
  for (const char* bad : {"rpm = 0\n", "rpm = 101\n", "rpm = 1.5\n", "rpm = \"60\"\n"}) {
    EXPECT_EQ(message(bad, whole), "c.toml:1: rpm: must be a whole number from 1 to 100") << bad;
  }
  std::string s;
  auto text = [&](const ConfigReader& rd, const toml::table& t) { return rd.string(t, "", "name", s, true); };
  EXPECT_EQ(message("name = \"a\"\n", text), "ok");
  EXPECT_EQ(s, "a");
  EXPECT_EQ(message("name = \"\"\n", text), "c.toml:1: name: must be a non-empty string");
  EXPECT_EQ(message("\n[t]\n", text), "c.toml:1: name: missing");  // at the document, line 1
  auto choice = [&](const ConfigReader& rd, const toml::table& t) {
    return rd.one_of(t, "", "effort", {"low", "high", "max"}, s);
  };
  EXPECT_EQ(message("effort = \"max\"\n", choice), "ok");
  EXPECT_EQ(s, "max");
  EXPECT_EQ(message("effort = \"medium\"\n", choice), "c.toml:1: effort: must be \"low\", \"high\" or \"max\"");
  bool b = false;
  auto flag = [&](const ConfigReader& rd, const toml::table& t) { return rd.boolean(t, "", "on", b); };
  EXPECT_EQ(message("on = true\n", flag), "ok");
  EXPECT_TRUE(b);
  EXPECT_EQ(message("on = 1\n", flag), "c.toml:1: on: must be true or false");
}

TEST(ConfigReader, UnknownKeysAndMissingOnes) {
  auto only = [](const ConfigReader& rd, const toml::table& t) {
    const toml::table* key = t["key"].as_array()->get(0)->as_table();
    if (auto e = rd.only(*key, element_path("key", 1), {"name", "rpm"})) return e;
    return rd.require(*key, element_path("key", 1), "name");
  };
  EXPECT_EQ(message("[[key]]\nname = \"a\"\nrmp = 5\n", only),
            "c.toml:3: key[1].rmp: unknown field (expected name, rpm)");
  EXPECT_EQ(message("[[key]]\nrpm = 5\n", only), "c.toml:1: key[1].name: missing");
}

TEST(ConfigReader, NumbersAsWritten) {
  auto doc = parse_toml("a = 0.1\nb = 1_000.25\nc = 5e3\n", "c.toml");
  ASSERT_TRUE(doc.ok());
  const ConfigReader rd("c.toml", "a = 0.1\nb = 1_000.25\nc = 5e3\n");
  EXPECT_EQ(rd.number_as_written(*doc->get("a")), "0.1");  // not 0.1000000000000000055...
  EXPECT_EQ(rd.number_as_written(*doc->get("b")), "1000.25");
  EXPECT_EQ(rd.number_as_written(*doc->get("c")), "5e3");
}

}  // namespace
}  // namespace ff::core
