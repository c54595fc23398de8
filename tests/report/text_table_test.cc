#include "report/text_table.h"

#include <gtest/gtest.h>

namespace ff::report {
namespace {

TEST(TextTable, AlignsColumnsByCodePoints) {
  TextTable t({"model", "cost"});
  t.add_row({"deepseek-v4-pro", "\u00a51.00"});
  t.add_rule();
  t.add_row({"x", "$10.50"});
  EXPECT_EQ(t.render(),
            "model              cost\n"
            "-----------------------\n"
            "deepseek-v4-pro   \u00a51.00\n"
            "-----------------------\n"
            "x                $10.50\n");
}

}  // namespace
}  // namespace ff::report
