//===- ShardOptionsTest.cpp - --shard parsing -----------------------------===//
#include "ds/Compiler/Compiler.h"

#include "gtest/gtest.h"

using namespace mlir::ds;

namespace {

ShardOptions parse(llvm::StringRef spec, bool expectOk = true) {
  ShardOptions options;
  std::string error;
  EXPECT_EQ(parseShardOptions(spec, options, error), expectOk)
      << spec.str() << ": " << error;
  return options;
}

TEST(ShardOptions, TensorParallel) {
  ShardOptions o = parse("tp=4");
  EXPECT_EQ(o.tp, 4);
  EXPECT_EQ(o.dp, 1);
  EXPECT_EQ(o.ranks(), 4);
}

TEST(ShardOptions, BothSeparatedBySpaceOrComma) {
  for (llvm::StringRef spec : {"dp=2 tp=3", "tp=3,dp=2", " tp=3 , dp=2 "}) {
    ShardOptions o = parse(spec);
    EXPECT_EQ(o.tp, 3) << spec.str();
    EXPECT_EQ(o.dp, 2) << spec.str();
    EXPECT_EQ(o.ranks(), 6) << spec.str();
  }
}

TEST(ShardOptions, RejectsBadSpecs) {
  for (llvm::StringRef spec : {"", "tp", "tp=0", "tp=-2", "pp=2", "tp=x",
                               "tp=2 dp"}) {
    ShardOptions options;
    std::string error;
    EXPECT_FALSE(parseShardOptions(spec, options, error)) << spec.str();
    EXPECT_FALSE(error.empty()) << spec.str();
  }
}

} // namespace
