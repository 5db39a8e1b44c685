# fuzz_collector: libFuzzer target for the collector's payload parsers
# (tools/collector/payload.c). Included from tests/fuzz/CMakeLists.txt; only
# with SPARK_FUZZ (clang). Seeds live in tests/tools/collector/fuzz_seeds/.
# Run longer by hand, e.g.
#   build-asan/bin/fuzz_collector -max_total_time=300 /tmp/corpus tests/tools/collector/fuzz_seeds
if(SPARK_FUZZ AND TARGET collector_payload)
  spark_fuzz(fuzz_collector SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_collector.c SECONDS 15
             SEEDS ${CMAKE_SOURCE_DIR}/tests/tools/collector/fuzz_seeds LIBS collector_payload
             ARGS -max_len=9000)
endif()
