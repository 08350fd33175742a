#pragma once
// Addresses written as text in tests; a typo fails the test, not the parse.
#include <catch2/catch.hpp>
#include <string>

#include "compiler/net/ip.h"

namespace fwc::test {

inline net::Cidr cidr(const std::string& text) {
  net::CidrParse p = net::parse_cidr(text);
  REQUIRE(p.status == net::CidrStatus::ok);
  return p.cidr;
}

}  // namespace fwc::test
