// The compile fuzz harness's input format and the screen that keeps its
// inputs from naming files outside its temporary directory.
#include <catch2/catch.hpp>

#include "fuzz/fuzz_sandbox.h"

using fwc::fuzz::Input;
using fwc::fuzz::split_input;
using fwc::fuzz::stays_in_sandbox;

TEST_CASE("fuzz input: the policy, then the files after #>> lines", "[fuzz]") {
  Input in =
      split_input("fwc: 1\nnetworks: {b: {file: lists/b.txt}}\n#>> lists/b.txt\n192.0.2.0/24\n#>> f.yaml\n");
  CHECK(in.policy == "fwc: 1\nnetworks: {b: {file: lists/b.txt}}\n");
  REQUIRE(in.files.size() == 2);
  CHECK(in.files[0].name == "lists/b.txt");
  CHECK(in.files[0].text == "192.0.2.0/24\n");
  CHECK(in.files[1].name == "f.yaml");
  CHECK(in.files[1].text.empty());
  // A marker only counts at the start of a line.
  CHECK(split_input("a: '#>> x'\n").files.empty());
}

TEST_CASE("fuzz input: relative names inside the directory are kept", "[fuzz]") {
  CHECK(stays_in_sandbox(
      split_input("networks: {b: {file: lists/b.txt}}\ninclude: [f/g.yaml]\n#>> lists/b.txt\n")));
  CHECK(stays_in_sandbox(split_input("networks: {b: [10.0.0.0/8, '2001:db8::/32']}\n")));
}

TEST_CASE("fuzz input: every way of naming an outside file is refused", "[fuzz]") {
  CHECK_FALSE(stays_in_sandbox(split_input("networks: {b: {file: /dev/zero}}\n")));
  CHECK_FALSE(stays_in_sandbox(split_input("networks: {b: {file: \"\\x2Fdev\\x2Fzero\"}}\n")));
  CHECK_FALSE(stays_in_sandbox(split_input("include: [../../../dev/stdin]\n")));
  CHECK_FALSE(stays_in_sandbox(split_input("x: &p /etc/passwd\ninclude: [*p]\n")));
  CHECK_FALSE(
      stays_in_sandbox(split_input("include: [f.yaml]\n#>> f.yaml\nnetworks: {b: {file: /dev/zero}}\n")));
  CHECK_FALSE(stays_in_sandbox(split_input("#>> ../x\n")));
  CHECK_FALSE(stays_in_sandbox(split_input("#>> /tmp/x\n")));
}

TEST_CASE("fuzz input: a stray top-level comma is screened without looping", "[fuzz]") {
  // Once looped forever asking yaml-cpp for further documents.
  CHECK(stays_in_sandbox(split_input(", xepteg10001\n")));
}
