// The shared allocator of length-bounded unique names (backends/common/naming.h).
#include <catch2/catch.hpp>

#include "backends/common/naming.h"

using fwc::naming::UniqueNames;

TEST_CASE("UniqueNames counts clashes and keeps names within the bound", "[naming]") {
  UniqueNames names(12, '-');
  CHECK(names.take("fwc-", "web", "-4") == "fwc-web-4");
  CHECK(names.take("fwc-", "web", "-4") == "fwc-web-2-4");
  CHECK(names.take("fwc-", "customers", "-4") == "fwc-custom-4");
  CHECK(names.take("fwc-", "customers", "-4") == "fwc-cust-2-4");
}

TEST_CASE("UniqueNames trims separators from the end of a shortened stem", "[naming]") {
  UniqueNames names(12, '-', "-_.");
  CHECK(names.take("fwc-", "meter-api", "-4") == "fwc-meter-4");  // "meter-" shortened
  CHECK(names.take("fwc-", "meter-api", "-4") == "fwc-mete-2-4");
  CHECK(names.take("fwc-", "odd_", "") == "fwc-odd");  // trimmed even when not shortened
  UniqueNames plain(12, '-');
  CHECK(plain.take("fwc-", "meter-api", "-4") == "fwc-meter--4");
}
